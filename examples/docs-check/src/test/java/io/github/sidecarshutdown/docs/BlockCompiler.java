package io.github.sidecarshutdown.docs;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles one block as the file a user would paste it into, with the JDK's compiler, against a class
 * path. A failure names the page, the Markdown line of each error and the compiler's message.
 */
final class BlockCompiler {

    /** A public top-level type: the file must carry its name. */
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(?m)^public\\s+(?:(?:final|abstract|sealed|non-sealed|static|strictfp)\\s+)*(?:class|interface|enum|record|@interface)\\s+(\\w+)");
    /** Any top-level type, for a file without a public one. */
    private static final Pattern ANY_TYPE = Pattern.compile(
            "(?m)^(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|interface|enum|record|@interface)\\s+(\\w+)");

    private final String classPath;
    private final Path workDir;

    /**
     * @param classPath what the blocks are compiled against
     * @param workDir   an empty directory for the sources and classes
     */
    BlockCompiler(String classPath, Path workDir) {
        this.classPath = classPath;
        this.workDir = workDir;
    }

    /** The class path of the running tests (Surefire's, which lists the module's test dependencies). */
    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** The name of the file the block must be saved as, e.g. {@code OrdersService.java}. */
    static String fileName(String code) {
        Matcher m = PUBLIC_TYPE.matcher(code);
        if (m.find()) {
            return m.group(1) + ".java";
        }
        m = ANY_TYPE.matcher(code);
        return (m.find() ? m.group(1) : "Block") + ".java";
    }

    /**
     * Compiles the block into a directory of its own (blocks may declare the same class).
     *
     * @return empty when it compiles, else every error, one per line, as
     *     {@code page:line: message} with the source line beneath
     */
    Optional<String> compile(DocBlocks.Block block, int index) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in this runtime (" + System.getProperty("java.home")
                    + "): run the tests on a JDK");
        }
        Path dir = workDir.resolve("block-" + index);
        Path source = dir.resolve("src").resolve(fileName(block.code()));
        Path classes = dir.resolve("classes");
        try {
            Files.createDirectories(source.getParent());
            Files.createDirectories(classes);
            Files.writeString(source, block.code(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter out = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", classPath, "-d", classes.toString(), "-proc:none",
                    "--release", "17", "-encoding", "UTF-8", "-nowarn", "-Xlint:none");
            boolean ok = javac.getTask(out, files, diagnostics, options, null, files.getJavaFileObjects(source)).call();
            List<String> errors = new ArrayList<>();
            List<String> code = block.code().lines().toList();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) {
                    continue;
                }
                long line = d.getLineNumber();
                String text = line >= 1 && line <= code.size() ? "\n    " + code.get((int) line - 1).strip() : "";
                errors.add(block.page() + ":" + (line >= 1 ? block.markdownLine(line) : block.fenceLine()) + ": "
                        + d.getMessage(Locale.ROOT) + text);
            }
            if (ok && errors.isEmpty()) {
                return Optional.empty();
            }
            if (errors.isEmpty()) {
                errors.add(block.page() + ":" + block.fenceLine() + ": " + out.toString().strip());
            }
            return Optional.of("The complete java block at " + block + " (" + fileName(block.code())
                    + ") does not compile as pasted:\n" + String.join("\n", errors));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
