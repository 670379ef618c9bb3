package io.coffer.cli;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ScheduleAtTests {

	private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

	private static final LocalDate WINTER = LocalDate.of(2024, 1, 15);

	private static final LocalDate SUMMER = LocalDate.of(2024, 7, 15);

	@Test
	void anHourInUtcIsKeptAsIs() {
		assertThat(ScheduleAt.hourUtc("4:00 UTC", PARIS, WINTER)).isEqualTo(4);
		assertThat(ScheduleAt.hourUtc("23:00 utc", PARIS, WINTER)).isEqualTo(23);
		assertThat(ScheduleAt.hourUtc("04:00Z", PARIS, WINTER)).isEqualTo(4);
	}

	@Test
	void aLocalHourIsTurnedIntoUtcWithTheOffsetOfTheDay() {
		assertThat(ScheduleAt.hourUtc("4:00", PARIS, WINTER)).isEqualTo(3);
		assertThat(ScheduleAt.hourUtc("4:00", PARIS, SUMMER)).isEqualTo(2);
		assertThat(ScheduleAt.hourUtc("0:00", PARIS, WINTER)).isEqualTo(23);
		assertThat(ScheduleAt.hourUtc("16", ZoneOffset.UTC, WINTER)).isEqualTo(16);
	}

	@Test
	void whatIsNotAnHourIsRefusedWithAnExample() {
		assertThatIllegalArgumentException().isThrownBy(() -> ScheduleAt.hourUtc("four", PARIS, WINTER))
			.withMessageContaining("\"4:00 UTC\"");
		assertThatIllegalArgumentException().isThrownBy(() -> ScheduleAt.hourUtc("24:00 UTC", PARIS, WINTER))
			.withMessageContaining("0 to 23");
		assertThatIllegalArgumentException().isThrownBy(() -> ScheduleAt.hourUtc("4:30 UTC", PARIS, WINTER))
			.withMessageContaining("on the hour");
	}

}
