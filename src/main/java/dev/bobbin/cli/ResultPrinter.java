package dev.bobbin.cli;

import dev.bobbin.destination.duckdb.QueryResult;
import java.io.PrintStream;
import java.util.List;

/** Prints query results as an aligned text table, or as CSV (RFC 4180: header line, CRLF, quoted when needed). */
final class ResultPrinter {
    private static final String NULL = "NULL";

    private ResultPrinter() {
    }

    static void table(QueryResult result, PrintStream out) {
        int n = result.columns().size();
        int[] widths = new int[n];
        for (int i = 0; i < n; i++) {
            widths[i] = result.columns().get(i).length();
        }
        for (List<String> row : result.rows()) {
            for (int i = 0; i < n; i++) {
                widths[i] = Math.max(widths[i], display(row.get(i)).length());
            }
        }
        out.println(line(result.columns(), widths));
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < n; i++) {
            rule.append(i == 0 ? "" : "-+-").append("-".repeat(widths[i]));
        }
        out.println(rule);
        for (List<String> row : result.rows()) {
            out.println(line(row.stream().map(ResultPrinter::display).toList(), widths));
        }
        out.println("(" + result.rows().size() + (result.rows().size() == 1 ? " row)" : " rows)"));
    }

    static void csv(QueryResult result, PrintStream out) {
        out.print(csvLine(result.columns()));
        for (List<String> row : result.rows()) {
            out.print(csvLine(row));
        }
    }

    private static String line(List<String> values, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            b.append(i == 0 ? "" : " | ").append(String.format("%-" + Math.max(1, widths[i]) + "s", values.get(i)));
        }
        return b.toString().stripTrailing();
    }

    private static String display(String value) {
        return value == null ? NULL : value;
    }

    private static String csvLine(List<String> values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            String v = values.get(i);
            if (v == null) {
                continue; // NULL is an empty field
            }
            if (v.isEmpty() || v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                b.append('"').append(v.replace("\"", "\"\"")).append('"');
            } else {
                b.append(v);
            }
        }
        return b.append("\r\n").toString();
    }
}
