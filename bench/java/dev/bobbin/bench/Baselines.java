package dev.bobbin.bench;

import dev.bobbin.bench.Customers.Batch;
import dev.bobbin.bench.Customers.Customer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The raw baselines, written by hand the way one would load these rows without Bobbin, from the
 * records already in memory (no JSON, no log): (a) one {@code COPY} into an empty table without a
 * key, and (b) {@code COPY} into a temporary staging table then one
 * {@code INSERT … ON CONFLICT (id) DO UPDATE … WHERE EXCLUDED._sdc_sequence > cur._sdc_sequence}.
 * Each in PostgreSQL's text format (what one writes by hand) and in its binary format (what Bobbin
 * sends, and cheaper for the server: it parses no numbers or timestamps), so that Bobbin is compared
 * with the faster of the two.
 *
 * <p>The tables have exactly the columns, types and order Bobbin's tables get (the record's columns,
 * then {@code _sdc_*}), so that both sides write the same rows; the benchmark checks this.
 */
final class Baselines {
    private static final int CHUNK_CHARS = 64 * 1024;
    /** Microseconds from 1970-01-01 to 2000-01-01, the epoch of PostgreSQL's binary timestamps. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    /** The {@code COPY} format a baseline sends its rows in. */
    enum Format {
        TEXT(""), BINARY(" (FORMAT binary)");

        final String option;

        Format(String option) {
            this.option = option;
        }
    }
    static final String DATA_COLUMNS = "id bigint, name text, age bigint, has_magic boolean, modified_at timestamp with time zone,"
            + " email text, city text, score double precision";
    static final String SYSTEM_COLUMNS = "_sdc_received_at timestamp with time zone, _sdc_batched_at timestamp with time zone,"
            + " _sdc_sequence bigint, _sdc_table_version bigint";

    private Baselines() {
    }

    static void createKeyed(Connection c, String schema) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            st.execute("CREATE TABLE " + schema + ".customers (" + DATA_COLUMNS.replace("id bigint", "id bigint NOT NULL") + ", "
                    + SYSTEM_COLUMNS + ", PRIMARY KEY (id))");
        }
        c.commit();
    }

    static void createKeyless(Connection c, String schema) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            st.execute("CREATE TABLE " + schema + ".customers (" + DATA_COLUMNS + ", __sdc_primary_key text, " + SYSTEM_COLUMNS + ")");
        }
        c.commit();
    }

    /** (a) One transaction: COPY every record into the keyless table. {@code keys} are the generated row keys. */
    static void plainCopy(Connection c, String schema, List<Batch> batches, List<Instant> receivedAt, String[] keys, Format format)
            throws SQLException {
        copy(c, schema + ".customers", batches, receivedAt, keys, format);
        c.commit();
    }

    /** (b) One transaction: COPY into a staging table, then one set-based upsert. */
    static void upsert(Connection c, String schema, List<Batch> batches, List<Instant> receivedAt, Format format) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE bench_stage (LIKE " + schema + ".customers) ON COMMIT DROP");
        }
        copy(c, "bench_stage", batches, receivedAt, null, format);
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + schema + ".customers AS cur SELECT * FROM bench_stage ON CONFLICT (id) DO UPDATE SET"
                    + " name = EXCLUDED.name, age = EXCLUDED.age, has_magic = EXCLUDED.has_magic, modified_at = EXCLUDED.modified_at,"
                    + " email = EXCLUDED.email, city = EXCLUDED.city, score = EXCLUDED.score,"
                    + " _sdc_received_at = EXCLUDED._sdc_received_at, _sdc_batched_at = EXCLUDED._sdc_batched_at,"
                    + " _sdc_sequence = EXCLUDED._sdc_sequence, _sdc_table_version = EXCLUDED._sdc_table_version"
                    + " WHERE EXCLUDED._sdc_sequence > cur._sdc_sequence");
        }
        c.commit();
    }

    private static void copy(Connection c, String table, List<Batch> batches, List<Instant> receivedAt, String[] keys, Format format)
            throws SQLException {
        if (format == Format.BINARY) {
            copyBinary(c, table, batches, receivedAt, keys);
            return;
        }
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN");
        String batchedAt = timestamp(new StringBuilder(), micros(Instant.now())).toString();
        StringBuilder out = new StringBuilder(CHUNK_CHARS + 1024);
        int row = 0;
        for (int b = 0; b < batches.size(); b++) {
            String received = timestamp(new StringBuilder(), micros(receivedAt.get(b))).toString();
            for (Customer r : batches.get(b).records()) {
                out.append(r.id()).append('\t');
                text(out, r.name()).append('\t');
                out.append(r.age()).append('\t').append(r.hasMagic() ? 't' : 'f').append('\t');
                timestamp(out, r.modifiedAtMicros()).append('\t');
                text(out, r.email()).append('\t');
                text(out, r.city()).append('\t');
                out.append(r.score()).append('\t');
                if (keys != null) {
                    out.append(keys[row]).append('\t');
                }
                out.append(received).append('\t').append(batchedAt).append('\t').append(r.sequence()).append("\t0\n");
                row++;
                if (out.length() >= CHUNK_CHARS) {
                    send(in, out);
                }
            }
        }
        send(in, out);
        in.endCopy();
    }

    /**
     * The same rows in PostgreSQL's binary COPY format: a header, per row a 16-bit field count and per
     * field a 32-bit length and the value as the column type's receive function reads it (int8 and
     * float8 as 8 bytes, boolean as 1, timestamptz as microseconds since 2000, text as UTF-8), a trailer.
     */
    private static void copyBinary(Connection c, String table, List<Batch> batches, List<Instant> receivedAt, String[] keys)
            throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN (FORMAT binary)");
        ByteBuffer out = ByteBuffer.allocate(CHUNK_CHARS + 64 * 1024);
        out.put("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1)).putInt(0).putInt(0);
        long batchedAt = micros(Instant.now()) - POSTGRES_EPOCH_MICROS;
        short fields = (short) (keys == null ? 12 : 13);
        int row = 0;
        for (int b = 0; b < batches.size(); b++) {
            long received = micros(receivedAt.get(b)) - POSTGRES_EPOCH_MICROS;
            for (Customer r : batches.get(b).records()) {
                out.putShort(fields);
                out.putInt(8).putLong(r.id());
                binaryText(out, r.name());
                out.putInt(8).putLong(r.age());
                out.putInt(1).put((byte) (r.hasMagic() ? 1 : 0));
                out.putInt(8).putLong(r.modifiedAtMicros() - POSTGRES_EPOCH_MICROS);
                binaryText(out, r.email());
                binaryText(out, r.city());
                out.putInt(8).putDouble(r.score());
                if (keys != null) {
                    binaryText(out, keys[row]);
                }
                out.putInt(8).putLong(received).putInt(8).putLong(batchedAt).putInt(8).putLong(r.sequence()).putInt(8).putLong(0);
                row++;
                if (out.position() >= CHUNK_CHARS) {
                    in.writeToCopy(out.array(), 0, out.position());
                    out.clear();
                }
            }
        }
        out.putShort((short) -1);
        in.writeToCopy(out.array(), 0, out.position());
        in.endCopy();
    }

    private static void binaryText(ByteBuffer out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.putInt(bytes.length).put(bytes);
    }

    private static void send(CopyIn in, StringBuilder out) throws SQLException {
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        in.writeToCopy(bytes, 0, bytes.length);
        out.setLength(0);
    }

    private static StringBuilder text(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
        return out;
    }

    /** {@code yyyy-MM-dd HH:mm:ss.ffffff+00} (years 1 to 9999). */
    static StringBuilder timestamp(StringBuilder out, long micros) {
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int fraction = (int) Math.floorMod(micros, 1_000_000L);
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
        int second = (int) Math.floorMod(seconds, 86_400L);
        digits(out, day.getYear(), 4).append('-');
        digits(out, day.getMonthValue(), 2).append('-');
        digits(out, day.getDayOfMonth(), 2).append(' ');
        digits(out, second / 3600, 2).append(':');
        digits(out, second / 60 % 60, 2).append(':');
        digits(out, second % 60, 2).append('.');
        return digits(out, fraction, 6).append("+00");
    }

    private static StringBuilder digits(StringBuilder out, int value, int width) {
        int divisor = 1;
        for (int i = 1; i < width; i++) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            out.append((char) ('0' + value / divisor % 10));
        }
        return out;
    }

    static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    /** The generated row keys of the keyless baseline: made before the clock starts. */
    static String[] generatedKeys(int count) {
        String[] keys = new String[count];
        for (int i = 0; i < count; i++) {
            keys[i] = UUID.nameUUIDFromBytes(("baseline#" + i).getBytes(StandardCharsets.UTF_8)).toString();
        }
        return keys;
    }
}
