package io.coffer.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SizesTests {

	@Test
	void listingSizesArePowersOfAThousandLikeThePlatforms() {
		assertThat(Sizes.decimal(0)).isEqualTo("0 B");
		assertThat(Sizes.decimal(999)).isEqualTo("999 B");
		assertThat(Sizes.decimal(1_500)).isEqualTo("1.5 kB");
		assertThat(Sizes.decimal(143_210)).isEqualTo("143 kB");
		assertThat(Sizes.decimal(2_400_000_000L)).isEqualTo("2.4 GB");
	}

	@Test
	void progressSizesArePowersOf1024WithTwoDecimals() {
		assertThat(Sizes.binary(512)).isEqualTo("512 B");
		assertThat(Sizes.binary(142_715)).isEqualTo("139.37 KiB");
		assertThat(Sizes.binary(5L * 1024 * 1024)).isEqualTo("5.00 MiB");
	}

}
