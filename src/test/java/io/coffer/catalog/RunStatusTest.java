package io.coffer.catalog;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunStatusTest {

	@ParameterizedTest(name = "{0} -> {1}: {2}")
	@CsvSource({
			"scheduled, running, true", "scheduled, error, true", "scheduled, done, false",
			"scheduled, scheduled, false", "running, done, true", "running, error, true",
			"running, scheduled, false", "running, running, false", "done, error, true", "done, running, false",
			"done, scheduled, false", "error, done, false", "error, running, false", "error, scheduled, false" })
	void onlyTheLifeCycleOrderIsAllowed(String from, String to, boolean allowed) {
		RunStatus current = RunStatus.of(from);
		RunStatus next = RunStatus.of(to);

		assertThat(current.canBecome(next)).isEqualTo(allowed);
		if (allowed) {
			current.checkCanBecome(next);
		}
		else {
			assertThatThrownBy(() -> current.checkCanBecome(next))
				.isInstanceOf(RunStatus.IllegalStateTransitionException.class)
				.hasMessage("status cannot change from " + from + " to " + to);
		}
	}

}
