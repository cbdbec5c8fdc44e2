package dev.bobbin.testing;

import dev.bobbin.log.BatchLog;
import dev.bobbin.log.LogHealth;
import dev.bobbin.log.LoggedBatch;
import dev.bobbin.log.LogUnavailableException;
import dev.bobbin.log.NewBatch;
import java.util.Collection;
import java.util.List;

/**
 * A node's real batch log seen through a test's loader: every call goes to it, except {@link #close}
 * (the node owns the log). A test overrides the calls it changes or watches.
 */
public abstract class ForwardingBatchLog implements BatchLog {
    protected final BatchLog log;

    protected ForwardingBatchLog(BatchLog log) {
        this.log = log;
    }

    @Override
    public void append(List<NewBatch> batches) throws LogUnavailableException {
        log.append(batches);
    }

    @Override
    public List<LoggedBatch> pending(int maxBatches) {
        return log.pending(maxBatches);
    }

    @Override
    public List<LoggedBatch> pendingAfter(LoggedBatch last, int maxBatches) {
        return log.pendingAfter(last, maxBatches);
    }

    @Override
    public byte[] payload(LoggedBatch batch) {
        return log.payload(batch);
    }

    @Override
    public void acknowledge(Collection<LoggedBatch> batches) {
        log.acknowledge(batches);
    }

    @Override
    public long pendingCount() {
        return log.pendingCount();
    }

    @Override
    public long pendingBytes() {
        return log.pendingBytes();
    }

    @Override
    public LogHealth health() {
        return log.health();
    }

    @Override
    public void close() {
        // the node owns the real log
    }
}
