package io.coffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The map of packages that docs/DESIGN.md opens with, checked against the compiled service: no two
 * packages import each other (even through others), the building blocks never reach up into a
 * capability, {@code system/} reaches nobody, and HTTP stays in {@code web/}; the map names every
 * package. Source files stay short enough to read, or say why not.
 */
class ArchitectureTest {

	/** Packages every capability may use; they use each other, and never a capability. */
	private static final String[] BUILDING_BLOCKS = { "io.coffer.node..", "io.coffer.archive..", "io.coffer.redis..",
			"io.coffer.pipeline..", "io.coffer.crypto..", "io.coffer.storage..", "io.coffer.catalog.." };

	private static final String[] HTTP = { "io.coffer.web..", "org.springframework.http..",
			"org.springframework.web..", "jakarta.servlet.." };

	private static final int MAX_LINES = 400;

	private static final String REASON = "// Longer than 400 lines because ";

	private static final JavaClasses SERVICE = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.coffer");

	@Test
	void noPackageDependsOnItselfThroughOthers() {
		slices().matching("io.coffer.(**)").should().beFreeOfCycles().check(SERVICE);
	}

	@Test
	void arrowsPointDownTheMap() {
		DescribedPredicate<JavaClass> capabilities = resideInAPackage("io.coffer..")
			.and(not(resideInAnyPackage("io.coffer.web..", "io.coffer.cli..", "io.coffer.system..")))
			.and(not(resideInAnyPackage(BUILDING_BLOCKS)))
			.as("capabilities");
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("web").definedBy("io.coffer.web..")
			.layer("cli").definedBy("io.coffer.cli..")
			.layer("capabilities").definedBy(capabilities)
			.layer("building blocks").definedBy(BUILDING_BLOCKS)
			.layer("system").definedBy("io.coffer.system..")
			.whereLayer("web").mayNotBeAccessedByAnyLayer()
			.whereLayer("cli").mayNotBeAccessedByAnyLayer()
			.whereLayer("capabilities").mayOnlyBeAccessedByLayers("web")
			.whereLayer("building blocks").mayOnlyBeAccessedByLayers("web", "cli", "capabilities")
			.whereLayer("system").mayOnlyBeAccessedByLayers("web", "cli", "capabilities", "building blocks")
			.check(SERVICE);
	}

	@Test
	void onlyWebKnowsHttp() {
		// the command-line client is a thin HTTP client: it speaks java.net.http, which is not in the list
		noClasses().that()
			.resideOutsideOfPackage("io.coffer.web..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(HTTP)
			.check(SERVICE);
	}

	@Test
	void sourceFilesOverFourHundredLinesSayWhy() throws IOException {
		Path sources = Path.of("src/main/java");
		List<String> unexplained;
		try (Stream<Path> files = Files.walk(sources)) {
			unexplained = files.filter((file) -> file.toString().endsWith(".java"))
				.filter(ArchitectureTest::longWithoutReason)
				.map((file) -> sources.relativize(file).toString().replace('\\', '/'))
				.sorted()
				.toList();
		}
		assertThat(unexplained).as("source files over %d lines without a line '%s…' near the top", MAX_LINES, REASON)
			.isEmpty();
	}

	@Test
	void theMapInDesignNotesNamesEveryPackage() throws IOException {
		// the table's first column: | `web/` (`dashboard/` inside) | ...
		Set<String> mapped = Files.readAllLines(Path.of("docs/DESIGN.md"))
			.stream()
			.dropWhile((line) -> !line.equals("## The map of packages"))
			.skip(1)
			.takeWhile((line) -> !line.startsWith("## "))
			.filter((line) -> line.startsWith("| `"))
			.map((line) -> line.substring(3, line.indexOf('/')))
			.collect(Collectors.toSet());
		Set<String> packages = SERVICE.stream()
			.map(JavaClass::getPackageName)
			.filter((name) -> name.startsWith("io.coffer."))
			.map((name) -> name.substring("io.coffer.".length()).split("\\.")[0])
			.collect(Collectors.toSet());
		assertThat(mapped).as("packages in the map that opens docs/DESIGN.md").isEqualTo(packages);
	}

	private static boolean longWithoutReason(Path file) {
		try {
			List<String> lines = Files.readAllLines(file);
			return lines.size() > MAX_LINES
					&& lines.stream().limit(60).noneMatch((line) -> line.strip().startsWith(REASON));
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot read " + file, ex);
		}
	}

}
