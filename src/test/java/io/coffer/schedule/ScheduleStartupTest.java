package io.coffer.schedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.coffer.CofferApplication;
import io.coffer.testsupport.CofferTestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A schedule file the service cannot use stops its start-up, with the file and line in the message. */
class ScheduleStartupTest {

	@TempDir
	Path schedules;

	@Test
	void aMalformedScheduleFileStopsTheStartUpNamingTheFileAndLine() throws IOException {
		Files.writeString(this.schedules.resolve("retention.yml"), """
				# expire old backups
				job: retentionJob
				cron: "0 30 25 * * ?"
				""");
		List<String> arguments = new ArrayList<>(CofferTestServices.get().arguments());
		arguments.add("--coffer.schedules-dir=" + this.schedules);
		arguments.add("--server.port=0");

		assertThatThrownBy(() -> {
			// closed at once should it start after all, so that it does not join the tests' cluster
			new SpringApplicationBuilder(CofferApplication.class).run(arguments.toArray(String[]::new)).close();
		})
			.satisfies((ex) -> assertThat(NestedExceptionUtils.getMostSpecificCause(ex).getMessage())
				.contains("retention.yml", "line 3", "0 30 25 * * ?"));
	}

}
