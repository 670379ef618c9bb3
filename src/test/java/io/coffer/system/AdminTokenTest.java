package io.coffer.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.coffer.testsupport.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The generated operator token: in a file of its owner only, in a folder of its owner only, and kept. */
class AdminTokenTest {

	@Test
	void theGeneratedTokenIsReadableByItsOwnerOnlyAndTheNextStartKeepsIt(@TempDir Path temp) throws Exception {
		Path data = temp.resolve("data");
		ServiceProperties service = Settings.of(ServiceProperties.class, "data-dir=" + data);
		SecurityProperties security = Settings.of(SecurityProperties.class);

		new AdminToken(security, service);

		Path file = data.resolve("admin-token");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
		String token = Files.readString(file).trim();
		assertThat(token).startsWith("cfa_");
		assertThat(new AdminToken(security, service).matches(token)).isTrue();
		assertThat(Files.readString(file).trim()).isEqualTo(token);
	}

	@Test
	void anEmptyTokenFileStopsTheStartWithWhatToDo(@TempDir Path data) throws Exception {
		Files.writeString(data.resolve("admin-token"), "\n");
		ServiceProperties service = Settings.of(ServiceProperties.class, "data-dir=" + data);

		assertThatThrownBy(() -> new AdminToken(Settings.of(SecurityProperties.class), service)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("is empty").hasMessageContaining("COFFER_ADMIN_TOKEN");
	}

}
