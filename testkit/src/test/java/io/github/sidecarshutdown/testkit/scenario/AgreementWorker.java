package io.github.sidecarshutdown.testkit.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker JVM of {@link PlanRunAgreementIT}: runs its share of the cases one after the other
 * (the library releases a sidecar once per process, so cases cannot overlap in one JVM) and writes
 * each observation to {@code <out>/<index>.obs} as soon as it has it.
 *
 * <p>Arguments: the file of cases ({@link #writeCases}), the output directory.
 */
public final class AgreementWorker {

    private AgreementWorker() {
    }

    public static void main(String[] args) throws Exception {
        List<PodCase> cases = readCases(Path.of(args[0]));
        Path out = Path.of(args[1]);
        Path scratch = Files.createDirectories(out.resolve("scratch"));
        // A cold JVM's first HTTP calls take hundreds of milliseconds on a busy machine: warm up on a
        // case whose observation is dropped, so that no case pays for class loading.
        CaseRunner.run(PodCase.of(PodCase.Mesh.ISTIO, PodCase.End.JOB_COMPLETES, true, Duration.ofSeconds(4), Duration.ofSeconds(5)),
                scratch);
        for (int i = 0; i < cases.size(); i++) {
            long start = System.nanoTime();
            CaseObservation o = CaseRunner.run(cases.get(i), scratch);
            write(out.resolve(i + ".obs"), o);
            System.out.printf("%d/%d %s: %d ms%s%n", i + 1, cases.size(), cases.get(i).label(),
                    (System.nanoTime() - start) / 1_000_000, o.error() == null ? "" : " ERROR " + o.error());
        }
        System.exit(0); // the emulators' and HTTP clients' threads are daemons, but do not wait for them anyway
    }

    static void writeCases(Path file, List<PodCase> cases) throws IOException {
        write(file, new ArrayList<>(cases));
    }

    @SuppressWarnings("unchecked")
    static List<PodCase> readCases(Path file) throws IOException, ClassNotFoundException {
        return (List<PodCase>) read(file);
    }

    static CaseObservation readObservation(Path file) throws IOException, ClassNotFoundException {
        return (CaseObservation) read(file);
    }

    private static void write(Path file, Object o) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp); ObjectOutputStream out = new ObjectOutputStream(os)) {
            out.writeObject(o);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Object read(Path file) throws IOException, ClassNotFoundException {
        try (InputStream is = Files.newInputStream(file); ObjectInputStream in = new ObjectInputStream(is)) {
            return in.readObject();
        }
    }
}
