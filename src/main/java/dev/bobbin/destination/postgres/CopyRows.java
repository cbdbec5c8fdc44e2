package dev.bobbin.destination.postgres;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Streams rows into a table with {@code COPY … FROM STDIN (FORMAT binary)}, encoded by {@link CopyBinary}.
 * Rows are encoded into a reused byte buffer and sent in chunks, so memory does not grow with the row
 * count. Runs inside the caller's transaction; if encoding or sending fails, the COPY is cancelled
 * and the error propagates (the caller's transaction must then be rolled back).
 */
final class CopyRows {
    /** Bytes encoded before a chunk is sent. */
    private static final int CHUNK_BYTES = 64 * 1024;

    private CopyRows() {
    }

    /**
     * Copies {@code rows} (one value per column of {@code columns}) into {@code qualifiedTable}.
     *
     * @param qualifiedTable the already quoted table, e.g. {@code "s"."t"} or {@code pg_temp."x"}
     * @return the number of rows PostgreSQL reports as copied
     */
    static long into(Connection connection, String qualifiedTable, List<Column> columns, Iterable<Object[]> rows) throws SQLException {
        String sql = "COPY " + qualifiedTable + " (" + PostgresNames.quotedList(columns.stream().map(Column::name).toList()) + ") FROM STDIN (FORMAT binary)";
        CopyIn in = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            CopyBinary chunk = new CopyBinary(CHUNK_BYTES + 16 * 1024);
            ColumnType[] types = CopyBinary.typesOf(columns);
            chunk.appendHeader();
            for (Object[] row : rows) {
                chunk.appendRow(columns, types, row);
                if (chunk.size() >= CHUNK_BYTES) {
                    send(in, chunk);
                }
            }
            chunk.appendTrailer();
            send(in, chunk);
            return in.endCopy();
        } catch (SQLException | RuntimeException e) {
            cancel(in, e);
            throw e;
        }
    }

    private static void send(CopyIn in, CopyBinary chunk) throws SQLException {
        if (chunk.size() == 0) {
            return;
        }
        in.writeToCopy(chunk.bytes(), 0, chunk.size());
        chunk.clear();
    }

    private static void cancel(CopyIn in, Exception cause) {
        if (!in.isActive()) {
            return;
        }
        try {
            in.cancelCopy();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
