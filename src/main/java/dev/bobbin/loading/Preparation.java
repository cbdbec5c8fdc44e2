package dev.bobbin.loading;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.RejectedRecord;
import dev.bobbin.destination.TableRef;
import dev.bobbin.destination.TableRows;
import dev.bobbin.destination.TableShape;
import dev.bobbin.json.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Stitch's loading rules for one table's messages, as a pure function: messages and the table's
 * current shape in, schema change and rows out.
 *
 * <p>Rules applied here: typing (L3), flattening of objects, one winner per key where a later record
 * replaces an earlier one only with a strictly greater sequence, so equal sequences keep the first
 * accepted (L2), whole-record replacement (L12), keyless append with a generated
 * {@code __sdc_primary_key} (L7), columns only for non-null values (L8), table versions (L9), type
 * splits (L1), key columns that never split (L11), and rejects for what cannot load (L10).
 */
final class Preparation {

    private Preparation() {
    }

    private record Candidate(IncomingMessage message, List<Cell> cells) {
    }

    static PreparedLoad prepare(TableRef table, List<String> keyNames, List<IncomingMessage> messages,
                                Optional<TableShape> current, Instant batchedAt) {
        List<RejectedRecord> rejects = new ArrayList<>();
        Optional<Long> activate = Optional.empty();
        Map<List<Object>, Candidate> winners = new LinkedHashMap<>();
        List<Candidate> appended = new ArrayList<>();
        for (IncomingMessage m : messages) {
            if (m.kind() == IncomingMessage.Kind.ACTIVATE_VERSION) {
                activate = Optional.of(Math.max(activate.orElse(Long.MIN_VALUE), m.tableVersion()));
                continue;
            }
            List<Cell> cells;
            try {
                cells = RecordTyper.type(m.data(), m.schema());
            } catch (RecordTyper.UntypableRecordException e) {
                rejects.add(reject(batchedAt, table, e.getMessage(), m));
                continue;
            }
            Candidate candidate = new Candidate(m, cells);
            if (keyNames.isEmpty()) {
                appended.add(candidate);
                continue;
            }
            Optional<List<Object>> key = keyOf(cells, keyNames);
            if (key.isEmpty()) {
                rejects.add(reject(batchedAt, table, "Record is missing key property " + String.join(", ", keyNames), m));
                continue;
            }
            winners.merge(key.get(), candidate,
                    (stored, incoming) -> incoming.message().sequence() > stored.message().sequence() ? incoming : stored);
        }

        ColumnResolver resolver = new ColumnResolver(table, current, keyNames);
        List<Candidate> rows = new ArrayList<>(keyNames.isEmpty() ? appended : winners.values());
        List<Map<String, Object>> placed = new ArrayList<>();
        List<Candidate> kept = new ArrayList<>();
        for (Candidate c : rows) {
            Optional<String> keyProblem = keyTypeProblem(c.cells(), resolver);
            if (keyProblem.isPresent()) {
                rejects.add(reject(batchedAt, table, keyProblem.get(), c.message()));
                continue;
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (Cell cell : c.cells()) {
                if (cell.type() != null) {
                    values.put(resolver.columnFor(cell.field(), cell.type()), cell.value());
                }
            }
            placed.add(values);
            kept.add(c);
        }
        if (kept.isEmpty() && current.isEmpty()) {
            return new PreparedLoad(resolver.change(), new TableRows(table, List.of(), resolver.keyColumns(), List.of()), Optional.empty(), rejects);
        }
        if (keyNames.isEmpty()) {
            resolver.ensure(SystemColumns.PRIMARY_KEY);
        }
        resolver.ensure(SystemColumns.RECEIVED_AT);
        resolver.ensure(SystemColumns.BATCHED_AT);
        resolver.ensure(SystemColumns.SEQUENCE);
        resolver.ensure(SystemColumns.TABLE_VERSION);
        if (kept.stream().anyMatch(c -> c.message().extractedAtMicros().isPresent())) {
            resolver.ensure(SystemColumns.EXTRACTED_AT);
        }

        List<Column> columns = resolver.columns();
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            index.put(columns.get(i).name(), i);
        }
        long batchedMicros = Timestamps.toMicros(batchedAt);
        List<Object[]> out = new ArrayList<>(kept.size());
        for (int r = 0; r < kept.size(); r++) {
            IncomingMessage m = kept.get(r).message();
            Object[] row = new Object[columns.size()];
            placed.get(r).forEach((column, value) -> row[index.get(column)] = value);
            if (keyNames.isEmpty()) {
                row[index.get(SystemColumns.PRIMARY_KEY.name())] = generatedKey(m);
            }
            row[index.get(SystemColumns.RECEIVED_AT.name())] = m.receivedAtMicros();
            row[index.get(SystemColumns.BATCHED_AT.name())] = batchedMicros;
            row[index.get(SystemColumns.SEQUENCE.name())] = m.sequence();
            row[index.get(SystemColumns.TABLE_VERSION.name())] = m.tableVersion();
            if (index.containsKey(SystemColumns.EXTRACTED_AT.name())) {
                row[index.get(SystemColumns.EXTRACTED_AT.name())] = m.extractedAtMicros().orElse(null);
            }
            out.add(row);
        }
        return new PreparedLoad(resolver.change(), new TableRows(table, columns, resolver.keyColumns(), out), activate, rejects);
    }

    private static Optional<List<Object>> keyOf(List<Cell> cells, List<String> keyNames) {
        List<Object> key = new ArrayList<>(keyNames.size());
        for (String name : keyNames) {
            Optional<Cell> cell = cells.stream().filter(c -> c.field().equals(name)).findFirst();
            if (cell.isEmpty() || cell.get().value() == null) {
                return Optional.empty();
            }
            key.add(cell.get().value());
        }
        return Optional.of(key);
    }

    /** A key column keeps the type it was created with: a key value of another type is rejected (L11). */
    private static Optional<String> keyTypeProblem(List<Cell> cells, ColumnResolver resolver) {
        for (String key : resolver.keyColumns()) {
            for (Cell cell : cells) {
                if (cell.field().equals(key) && cell.type() != null && resolver.has(key) && resolver.typeOf(key) != cell.type()) {
                    return Optional.of("key property " + key + " has type " + cell.type().name().toLowerCase()
                            + " but the key column has type " + resolver.typeOf(key).name().toLowerCase());
                }
            }
        }
        return Optional.empty();
    }

    /** Deterministic per message, so that a replayed batch would generate the same keys. */
    private static String generatedKey(IncomingMessage m) {
        return UUID.nameUUIDFromBytes((m.batchKey() + "#" + m.index()).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static RejectedRecord reject(Instant at, TableRef table, String reason, IncomingMessage m) {
        return new RejectedRecord(at, table.table(), reason, m.data() == null ? "" : m.data().toString());
    }
}
