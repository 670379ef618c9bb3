package io.coffer.crypto;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.coffer.system.ServiceProperties;
import io.coffer.testsupport.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The keyring the service starts with: generated owner only, and a configured one others may read is told. */
@ExtendWith(OutputCaptureExtension.class)
class KeyringConfigurationTest {

	@Test
	void theGeneratedKeyringIsItsOwnersOnlyInAFolderOfItsOwnerOnly(@TempDir Path temp) throws Exception {

		new KeyringConfiguration().keyring(new KeyringProperties(null),
				Settings.of(ServiceProperties.class, "data-dir=" + temp.resolve("data")));

		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(temp.resolve("data").resolve("keyring"))))
			.isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(temp.resolve("data"))))
			.isEqualTo("rwx------");
	}

	@Test
	void aConfiguredKeyringOthersMayReadIsReportedWithWhatToDo(@TempDir Path temp, CapturedOutput output)
			throws Exception {
		Path file = temp.resolve("keyring");
		Keyring.generate(file);
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

		Keyring keyring = new KeyringConfiguration().keyring(new KeyringProperties(file),
				Settings.of(ServiceProperties.class));

		assertThat(keyring.keyIds()).hasSize(1);
		assertThat(output).contains("may be read by other users").contains("chmod 600 " + file);
	}

}
