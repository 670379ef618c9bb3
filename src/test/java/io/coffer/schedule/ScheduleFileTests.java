package io.coffer.schedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleFileTests {

	private static final Set<String> JOBS = Set.of("retentionJob");

	@TempDir
	Path folder;

	@Test
	void readsAScheduleNamedAfterItsFile() throws IOException {
		ScheduleFile schedule = ScheduleFile.read(write("retention.yml", """
				# nightly
				job: retentionJob
				cron: "0 30 5 * * ?"
				"""), JOBS);

		assertThat(schedule.name()).isEqualTo("retention");
		assertThat(schedule.job()).isEqualTo("retentionJob");
		assertThat(schedule.cron()).isEqualTo("0 30 5 * * ?");
		assertThat(schedule.timeZone().getID()).isEqualTo("UTC");
	}

	@Test
	void eachMistakeNamesTheFileAndTheLine() throws IOException {
		assertInvalid("job: retentionJob\ncron: \"0 30 5 * * ?\n", "bad-yaml.yml", "line 2", "not valid YAML");
		assertInvalid("job: retentionJob\n\ncron: \"0 61 5 * * ?\"\n", "bad-cron.yml", "line 3", "0 61 5 * * ?");
		assertInvalid("job: retentionJob\ncron: \"0 30 5 * * ?\"\ncorn: x\n", "typo.yml", "line 3", "corn");
		assertInvalid("job: noSuchJob\ncron: \"0 30 5 * * ?\"\n", "unknown-job.yml", "line 1", "noSuchJob");
		assertInvalid("job: retentionJob\n", "no-cron.yml", "line 1", "has no cron");
		assertInvalid("job: retentionJob\ncron: \"0 30 5 * * ?\"\ntime-zone: Mars/Olympus\n", "zone.yml", "line 3",
				"Mars/Olympus");
	}

	@Test
	void databasesAreSpreadDeterministically() {
		assertThat(DatabaseSchedules.spread("my-app-3030", 21600)).isEqualTo(DatabaseSchedules.spread("my-app-3030", 21600))
			.isBetween(0L, 21599L);
		long distinct = java.util.stream.IntStream.range(0, 1000)
			.mapToLong((i) -> DatabaseSchedules.spread("app-" + i, 21600))
			.distinct()
			.count();
		assertThat(distinct).isGreaterThan(950);
	}

	private void assertInvalid(String content, String fileName, String line, String detail) throws IOException {
		Path file = write(fileName, content);
		assertThatThrownBy(() -> ScheduleFile.read(file, JOBS)).isInstanceOf(ScheduleFile.InvalidScheduleException.class)
			.hasMessageContaining(fileName)
			.hasMessageContaining(line)
			.hasMessageContaining(detail);
	}

	private Path write(String name, String content) throws IOException {
		return Files.writeString(this.folder.resolve(name), content);
	}

}
