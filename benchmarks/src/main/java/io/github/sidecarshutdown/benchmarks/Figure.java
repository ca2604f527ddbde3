package io.github.sidecarshutdown.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One measured figure: a name, a unit, the variant it belongs to and every sample taken in this
 * run. Median, min and max are computed from the samples; nothing is stored twice.
 *
 * @param section  the benchmark it comes from, e.g. {@code termination}
 * @param name     what is measured, e.g. {@code pod-termination}
 * @param unit     e.g. {@code ms}, {@code ns/op}, {@code B}
 * @param variant  e.g. {@code ISTIO_1_5 work=4s library}
 * @param samples  the measurements, at least one
 */
public record Figure(String section, String name, String unit, String variant, List<Double> samples) {

    public Figure {
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(variant, "variant");
        samples = List.copyOf(samples);
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("samples: empty (expected: at least one measurement of " + name + ")");
        }
    }

    /** A figure of one sample. */
    public static Figure of(String section, String name, String unit, String variant, double value) {
        return new Figure(section, name, unit, variant, List.of(value));
    }

    /** The median: the middle sample, or the mean of the two middle ones. */
    public double median() {
        return median(samples);
    }

    public double min() {
        return Collections.min(samples);
    }

    public double max() {
        return Collections.max(samples);
    }

    /** The median of non-empty values. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("median of no values");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }
}
