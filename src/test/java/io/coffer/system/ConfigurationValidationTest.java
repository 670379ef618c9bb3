package io.coffer.system;

import io.coffer.CofferApplication;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A wrong setting stops start-up with a message that names it and says what it must be. */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationValidationTest {

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"coffer.s3.bucket=ab | coffer.s3.bucket | 3 to 63",
			"coffer.s3.endpoint=minio:9000 | coffer.s3.endpoint | http:// or https://",
			"coffer.s3.part-size=1024 | coffer.s3.partSize | 5 MiB",
			"coffer.database.url=postgres://db/coffer | coffer.database.url | jdbc:postgresql://",
			"coffer.backup.acquisition-mode=rsync | coffer.backup.acquisitionMode | stream",
			"coffer.backup.compression-level=12 | coffer.backup.compressionLevel | 9",
			"coffer.backup.compression-library=brotli | coffer.backup.compressionLibrary | auto, isal, libdeflate or zlib" })
	void aWrongSettingIsNamedWithWhatItMustBe(String setting, String name, String expectation,
			CapturedOutput output) {
		assertThatThrownBy(() -> new SpringApplicationBuilder(CofferApplication.class).run("--" + setting,
				"--server.port=0"))
			.isInstanceOf(RuntimeException.class);

		assertThat(output.getOut()).contains("APPLICATION FAILED TO START")
			.contains("Property: " + name)
			.contains(expectation);
	}

}
