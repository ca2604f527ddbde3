package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * An application class-data-sharing archive (JDK's AppCDS, {@code -XX:ArchiveClassesAtExit}) of a
 * child JVM's classes, as an app that turns it on gets (Spring Boot's CDS support, a container image
 * built with a training run): the library's classes then come parsed and verified from the archive.
 * AppCDS takes jars only, so the benchmark's own class directory is packed into a jar first.
 */
final class AppCdsArchive {

    private final Path dir;
    private final String classPath;
    private final Path archive;

    private AppCdsArchive(Path dir, String classPath) {
        this.dir = dir;
        this.classPath = classPath;
        this.archive = dir.resolve("app.jsa");
    }

    /** This JVM's class path with every directory packed into a jar of its own, in {@code dir}. */
    static AppCdsArchive forThisClassPath() throws IOException {
        Path dir = Files.createTempDirectory("sidecar-bench-cds");
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Paths.get(e);
            if (Files.isDirectory(p)) {
                Path jar = dir.resolve("classes-" + n++ + ".jar");
                pack(p, jar);
                entries.add(jar.toString());
            } else if (!e.isEmpty()) {
                entries.add(e);
            }
        }
        return new AppCdsArchive(dir, String.join(File.pathSeparator, entries));
    }

    private static void pack(Path classes, Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
    }

    /** The command for {@code mainClass} on the packed class path; {@code train}: writes the archive at exit, else reads it. */
    List<String> command(List<String> jvmOptions, boolean train, Class<?> mainClass, String... args) {
        List<String> c = new ArrayList<>();
        c.add(JavaProcess.javaExecutable().toString());
        c.addAll(jvmOptions);
        c.add((train ? "-XX:ArchiveClassesAtExit=" : "-XX:SharedArchiveFile=") + archive);
        c.add("-Xlog:cds=off"); // its warnings about classes it skips are not the child's output
        c.add("-cp");
        c.add(classPath);
        c.add(mainClass.getName());
        c.addAll(List.of(args));
        return c;
    }

    /** Whether the training run left an archive. */
    boolean exists() {
        return Files.isRegularFile(archive);
    }

    /** Removes the jars and the archive. */
    void delete() {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp directory left behind
        }
    }

    /** Runs {@code command} to its end (at most {@code seconds}); its exit code, or -1 if it did not end. */
    static int run(List<String> command, long seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return p.waitFor(seconds, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } finally {
            p.destroyForcibly();
        }
    }
}
