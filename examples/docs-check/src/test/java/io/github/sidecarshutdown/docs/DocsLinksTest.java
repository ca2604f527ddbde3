package io.github.sidecarshutdown.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README links its reference material in one line each; every relative link of README.md and
 * docs/*.md must lead to a file or directory of the repository, so that moving a page breaks a test,
 * not a reader's click.
 */
class DocsLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void everyRelativeLinkLeadsToAFileOfTheRepository() throws Exception {
        Path root = DocBlocks.repositoryRoot();
        List<String> broken = new ArrayList<>();
        for (Path page : DocBlocks.pages(root)) {
            List<String> lines = Files.readAllLines(page);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = LINK.matcher(lines.get(i));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("mailto:")
                            || target.startsWith("#")) {
                        continue;
                    }
                    int anchor = target.indexOf('#');
                    String file = anchor < 0 ? target : target.substring(0, anchor);
                    if (!Files.exists(page.getParent().resolve(file).normalize())) {
                        broken.add(root.relativize(page) + ":" + (i + 1) + ": " + target);
                    }
                }
            }
        }
        assertThat(broken).as("relative links to nothing").isEmpty();
    }
}
