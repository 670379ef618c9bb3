package io.coffer.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The generated operator token: in a file of its owner only, in a folder of its owner only, and kept. */
class AdminTokenTest {

	@Test
	void theGeneratedTokenIsReadableByItsOwnerOnlyAndTheNextStartKeepsIt(@TempDir Path temp) throws Exception {
		Path data = temp.resolve("data");
		CofferProperties properties = new CofferProperties();
		properties.setDataDir(data);

		new AdminToken(properties);

		Path file = data.resolve("admin-token");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
		String token = Files.readString(file).trim();
		assertThat(token).startsWith("cfa_");
		assertThat(new AdminToken(properties).matches(token)).isTrue();
		assertThat(Files.readString(file).trim()).isEqualTo(token);
	}

	@Test
	void anEmptyTokenFileStopsTheStartWithWhatToDo(@TempDir Path data) throws Exception {
		Files.writeString(data.resolve("admin-token"), "\n");
		CofferProperties properties = new CofferProperties();
		properties.setDataDir(data);

		assertThatThrownBy(() -> new AdminToken(properties)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("is empty").hasMessageContaining("COFFER_ADMIN_TOKEN");
	}

}
