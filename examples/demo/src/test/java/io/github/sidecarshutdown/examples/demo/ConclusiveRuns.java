package io.github.sidecarshutdown.examples.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Runs a load-based case until a run is conclusive, at most {@link #ATTEMPTS} times. A run is
 * inconclusive when the test's own preconditions did not hold (the load generator was starved and
 * sent too little where the verdict needs traffic, an answer came back after the app had stopped
 * waiting for it): on a busy machine that says nothing about the library, so the case runs again
 * instead of failing with a wrong verdict. If every run is inconclusive the case fails, saying so and
 * why; the assertions about the library are applied, unchanged, to the first conclusive run.
 */
final class ConclusiveRuns {

    /** One run and two more. */
    static final int ATTEMPTS = 3;

    private ConclusiveRuns() {
    }

    /**
     * @param what         the case, for the message
     * @param run          one run
     * @param inconclusive why a run cannot be judged, or empty when it can
     */
    static <R> R run(String what, Callable<R> run, Function<R, Optional<String>> inconclusive) throws Exception {
        List<String> reasons = new ArrayList<>();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            R result = run.call();
            Optional<String> why = inconclusive.apply(result);
            if (why.isEmpty()) {
                return result;
            }
            reasons.add("run " + attempt + ": " + why.get());
            System.out.println("INCONCLUSIVE " + what + " run " + attempt + " of " + ATTEMPTS + ": " + why.get());
        }
        throw new AssertionError("Inconclusive, not a verdict: " + what + " could not be judged in " + ATTEMPTS
                + " runs, the machine was too starved for the test's own preconditions:\n  " + String.join("\n  ", reasons));
    }
}
