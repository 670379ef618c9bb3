package io.coffer.web.dashboard;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MaskedUrlTest {

	@Test
	void thePasswordOfAUrlIsReplacedAndTheRestKept() {
		assertThat(DashboardController.masked("redis://my-app-3030:s3cr3t-_x@127.0.0.1:21001"))
			.isEqualTo("redis://my-app-3030:••••••••@127.0.0.1:21001");
		assertThat(DashboardController.masked("redis://127.0.0.1:21001")).isEqualTo("redis://127.0.0.1:21001");
	}

}
