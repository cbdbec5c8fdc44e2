package dev.bobbin.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** How catalog rows become objects: column lists, row mappers, and the JSON text columns. */
final class CatalogRows {
    static final String ACCOUNT_COLUMNS = "client_id, name, created_at";
    static final String SOURCE_COLUMNS = "id, client_id, type, name, display_name, properties, created_at, updated_at, paused_at, deleted_at";
    static final String DESTINATION_COLUMNS = "id, client_id, type, name, description, properties, created_at, updated_at";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() { };
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() { };

    private CatalogRows() {
    }

    /** {@code columns} with each name prefixed, e.g. by a table alias {@code "s."}. */
    static String prefixed(String prefix, String columns) {
        return prefix + columns.replace(", ", ", " + prefix);
    }

    static Account account(ResultSet rs) throws SQLException {
        return account(rs, 1);
    }

    static Account account(ResultSet rs, int first) throws SQLException {
        return new Account(rs.getLong(first), rs.getString(first + 1), Instant.ofEpochMilli(rs.getLong(first + 2)));
    }

    static Source source(ResultSet rs) throws SQLException {
        return source(rs, 1);
    }

    static Source source(ResultSet rs, int first) throws SQLException {
        return new Source(
                rs.getLong(first),
                rs.getLong(first + 1),
                rs.getString(first + 2),
                rs.getString(first + 3),
                rs.getString(first + 4),
                readMap(rs.getString(first + 5)),
                Instant.ofEpochMilli(rs.getLong(first + 6)),
                Instant.ofEpochMilli(rs.getLong(first + 7)),
                optionalInstant(rs, first + 8),
                optionalInstant(rs, first + 9));
    }

    static DestinationConfig destination(ResultSet rs) throws SQLException {
        return new DestinationConfig(rs.getLong(1), rs.getLong(2), rs.getString(3), Optional.ofNullable(rs.getString(4)),
                Optional.ofNullable(rs.getString(5)), readMap(rs.getString(6)),
                Instant.ofEpochMilli(rs.getLong(7)), Instant.ofEpochMilli(rs.getLong(8)));
    }

    static Optional<Instant> optionalInstant(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
    }

    static Map<String, String> readMap(String json) {
        try {
            return JSON.readValue(json, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new CatalogException("corrupt properties in the catalog: " + e.getOriginalMessage(), e);
        }
    }

    static List<String> readList(String json) {
        try {
            return JSON.readValue(json, STRING_LIST);
        } catch (JsonProcessingException e) {
            throw new CatalogException("corrupt key names in the catalog: " + e.getOriginalMessage(), e);
        }
    }

    static String writeJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
