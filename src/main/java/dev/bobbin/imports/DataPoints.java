package dev.bobbin.imports;

import com.fasterxml.jackson.databind.JsonNode;

/** Counts a record's data points: its leaf values (scalars and nulls), at any depth (DECISIONS I4). */
final class DataPoints {
    private DataPoints() {
    }

    /** The number of leaves in {@code value}, or a number above {@code stopAbove} as soon as it is passed. */
    static int count(JsonNode value, int stopAbove) {
        return count(value, 0, stopAbove);
    }

    private static int count(JsonNode value, int sofar, int stopAbove) {
        if (!value.isContainerNode()) {
            return sofar + 1;
        }
        int total = sofar;
        for (JsonNode child : value) {
            total = count(child, total, stopAbove);
            if (total > stopAbove) {
                return total;
            }
        }
        return total;
    }
}
