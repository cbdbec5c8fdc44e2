package dev.bobbin.testing;

/**
 * Main class of {@link TestKafka}'s child JVM: runs {@code kafka.Kafka} with the given arguments,
 * and halts the broker as soon as the test JVM that started it is gone, so that a test JVM killed
 * with SIGKILL (whose shutdown hooks never run) leaves no broker behind.
 *
 * <p>Arguments: the parent's process id, then {@code kafka.Kafka}'s own.
 */
public final class KafkaBrokerMain {
    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        long parent = Long.parseLong(args[0]);
        ProcessHandle.of(parent).ifPresentOrElse(
                p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(0)),
                () -> Runtime.getRuntime().halt(0));
        kafka.Kafka.main(java.util.Arrays.copyOfRange(args, 1, args.length));
    }
}
