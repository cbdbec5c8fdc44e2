package dev.bobbin.destination.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.destination.DestinationException;
import dev.bobbin.destination.TableChange;
import dev.bobbin.destination.TableRef;
import dev.bobbin.destination.TableRows;
import dev.bobbin.testing.TestPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Edge cases of the binary COPY encoding ({@link CopyBinary}) written through {@link CopyRows} into a real
 * PostgreSQL and read back: each value must come back exactly as given, in a keyless table (COPY
 * straight in) and a keyed one (COPY into staging, then the merge).
 */
class CopyRoundTripTest {
    private static final Column K = new Column("k", ColumnType.BIGINT);
    private static final Column SEQUENCE = new Column("_sdc_sequence", ColumnType.BIGINT);

    private PostgresConnection database;
    private PostgresDestination destination;

    @BeforeEach
    void openFreshDatabase() {
        database = TestPostgres.newDatabase();
        destination = PostgresDestination.open(database);
    }

    @AfterEach
    void close() {
        destination.close();
    }

    /** Writes one row per value (key = its index) into a keyed and a keyless table of column {@code v} of {@code type}. */
    private void writeBoth(ColumnType type, List<?> values) throws DestinationException {
        List<Column> columns = List.of(K, new Column("v", type), SEQUENCE);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            rows.add(new Object[] {(long) i, values.get(i), 1L});
        }
        destination.load(tx -> {
            for (String name : List.of("keyed", "keyless")) {
                TableRef table = new TableRef("rt", name);
                List<String> keys = name.equals("keyed") ? List.of("k") : List.of();
                tx.apply(new TableChange(table, true, List.of(), columns, keys, Optional.empty()));
                tx.write(new TableRows(table, columns, keys, rows));
            }
            return null;
        });
    }

    /** Column {@code v} read back as {@code expression} (over {@code v}) of each table, in key order. */
    private List<List<Object>> readBoth(String expression) throws SQLException {
        List<List<Object>> tables = new ArrayList<>();
        try (Connection c = TestPostgres.connect(database); Statement st = c.createStatement()) {
            for (String name : List.of("keyed", "keyless")) {
                List<Object> values = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT " + expression + " FROM rt." + name + " ORDER BY k")) {
                    while (rs.next()) {
                        values.add(rs.getObject(1));
                    }
                }
                tables.add(values);
            }
        }
        return tables;
    }

    @Test
    void textWithControlCharactersBackslashesAndUtf8RoundTrips() throws Exception {
        List<String> values = new ArrayList<>(List.of(
                "", "\\N", "\\", "\\\\", "\t", "\n", "\r", "\r\n", "a\tb\nc\rd\\e", "\\t\\n\\r", "\\.", ".",
                "\u0001\u0007\u0008\u000b\u000c\u001b\u001f\u007f", "\u0080\u00ff\u00e9", "\u0800\u20ac\uffff\ufeff",
                "\uD83D\uDC22 \uD800\uDC00 \uDBFF\uDFFF", "żółw 🐢 \"q\" 'a' ,;|", " leading and trailing "));
        values.add("ż\\\t🐢".repeat(40_000)); // longer than a COPY chunk, multibyte across chunk boundaries
        values.add("x".repeat(70_000) + "é");
        writeBoth(ColumnType.TEXT, values);
        for (List<Object> stored : readBoth("v")) {
            assertThat(stored).containsExactlyElementsOf(values);
        }
    }

    @Test
    void nullIsNullAndTheTextBackslashNIsText() throws Exception {
        List<String> values = new ArrayList<>();
        values.add(null);
        values.add("\\N");
        values.add("");
        values.add("N");
        writeBoth(ColumnType.TEXT, values);
        for (List<Object> stored : readBoth("v IS NULL")) {
            assertThat(stored).containsExactly(true, false, false, false);
        }
        for (List<Object> stored : readBoth("v")) {
            assertThat(stored).containsExactlyElementsOf(values);
        }
    }

    @Test
    void unpairedSurrogatesArriveAsQuestionMarks() throws Exception {
        writeBoth(ColumnType.TEXT, List.of("a\uD83Db", "\uDC22", "x\uD83D"));
        for (List<Object> stored : readBoth("v")) {
            assertThat(stored).containsExactly("a?b", "?", "x?");
        }
    }

    @Test
    void textWithNulFailsTheLoadAndLeavesNothing() {
        assertThatThrownBy(() -> writeBoth(ColumnType.TEXT, List.of("fine", "bad\0text")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0000");
        try (Connection c = TestPostgres.connect(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'rt'")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void bigintsRoundTrip() throws Exception {
        List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, 9L, 10L, -10L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1));
        for (long v = 1; v <= 1_000_000_000_000_000_000L && v > 0; v *= 10) {
            values.add(v - 1);
            values.add(-v);
        }
        writeBoth(ColumnType.BIGINT, values);
        for (List<Object> stored : readBoth("v")) {
            assertThat(stored).containsExactlyElementsOf(values);
        }
    }

    @Test
    void doublesRoundTripBitForBit() throws Exception {
        List<Double> values = List.of(0.0, -0.0, 0.1, 1.0 / 3, -1.0E-300, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 123456.789, 1e21, 1e-7);
        writeBoth(ColumnType.DOUBLE, values);
        for (List<Object> stored : readBoth("v")) {
            assertThat(stored).hasSameSizeAs(values);
            for (int i = 0; i < values.size(); i++) {
                assertThat(Double.doubleToRawLongBits((Double) stored.get(i))).as("value %s", values.get(i))
                        .isEqualTo(Double.doubleToRawLongBits(values.get(i)));
            }
        }
    }

    @Test
    void decimalsRoundTripWithTheirScale() throws Exception {
        List<BigDecimal> values = List.of(new BigDecimal("0"), new BigDecimal("1E+3"), new BigDecimal("-0.000000000000000000000000000001"),
                new BigDecimal("123456789012345678901234567890.123456789"), new BigDecimal("1.10"), new BigDecimal("-5"),
                new BigDecimal("0.0000"), new BigDecimal("-0.5"), new BigDecimal("10000"), new BigDecimal("9999.9999"),
                new BigDecimal("1E+10"), new BigDecimal("100000000.00000001"), new BigDecimal("-12345.6789012"), new BigDecimal("0.00010"));
        writeBoth(ColumnType.DECIMAL, values);
        for (List<Object> stored : readBoth("v::text")) {
            assertThat(stored).containsExactlyElementsOf(values.stream().map(BigDecimal::toPlainString).toList());
        }
    }

    @Test
    void decimalsIntoANumericColumnWithATypmodAreRoundedAsPostgresqlRoundsText() throws Exception {
        try (Connection c = TestPostgres.connect(database); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA rt; CREATE TABLE rt.narrow (k bigint, v numeric(12,3), _sdc_sequence bigint)");
        }
        TableRef narrow = new TableRef("rt", "narrow");
        List<Column> columns = destination.load(tx -> tx.table(narrow)).orElseThrow().columns();
        assertThat(columns).extracting(Column::type).containsExactly(ColumnType.BIGINT, ColumnType.DECIMAL, ColumnType.BIGINT);
        List<String> values = List.of("1.10", "-2.0005", "123456789.1234", "0.0004");
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            rows.add(new Object[] {(long) i, new BigDecimal(values.get(i)), 1L});
        }
        destination.load(tx -> {
            tx.write(new TableRows(narrow, columns, List.of(), rows));
            return null;
        });
        List<String> stored = new ArrayList<>();
        List<String> castFromText = new ArrayList<>();
        try (Connection c = TestPostgres.connect(database); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT v::text FROM rt.narrow ORDER BY k")) {
                while (rs.next()) {
                    stored.add(rs.getString(1));
                }
            }
            for (String value : values) {
                try (ResultSet rs = st.executeQuery("SELECT '" + value + "'::numeric(12,3)::text")) {
                    rs.next();
                    castFromText.add(rs.getString(1));
                }
            }
        }
        assertThat(stored).containsExactly("1.100", "-2.001", "123456789.123", "0.000").isEqualTo(castFromText);
    }

    @Test
    void timestampsRoundTripToTheMicrosecond() throws Exception {
        List<Long> values = new ArrayList<>(List.of(0L, -1L, 1L, 999_999L, 1_000_000L, 86_399_999_999L, 86_400_000_000L,
                micros("2024-02-29T23:59:59.123456Z"), micros("2024-03-01T00:00:00Z"), micros("2024-02-29T00:00:00.000001Z"),
                micros("0001-01-01T00:00:00Z"), micros("0000-12-31T23:59:59.999999Z"), micros("-1000-01-01T00:00:00Z"),
                micros("+10000-01-01T00:00:00.000001Z"), micros("+99999-12-31T23:59:59.999999Z")));
        for (int day = 0; day < 30; day++) { // days in turn, as rows of a load have them
            values.add(micros("2026-11-26T12:00:00Z") + (day % 3) * 86_400_000_000L + day);
        }
        writeBoth(ColumnType.TIMESTAMPTZ, values);
        for (List<Object> stored : readBoth("(extract(epoch FROM v) * 1000000)::bigint")) {
            assertThat(stored).containsExactlyElementsOf(values);
        }
    }

    @Test
    void booleansRoundTrip() throws Exception {
        List<Boolean> values = new ArrayList<>(List.of(true, false));
        values.add(null);
        writeBoth(ColumnType.BOOLEAN, values);
        for (List<Object> stored : readBoth("v")) {
            assertThat(stored).containsExactlyElementsOf(values);
        }
    }

    private static long micros(String instant) {
        Instant t = Instant.parse(instant);
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }
}
