package io.coffer.housekeeping;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.coffer.catalog.Backup;
import io.coffer.catalog.RunStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy over a generated year: a periodic backup every day of 2025 at 02:00 UTC, a manual one
 * every 6th day at 14:00, a failed periodic one every 10th day at 03:00; "now" is 31 December 2025
 * (a Wednesday) at noon. Each row says which ones survive.
 */
class RetentionPolicyTests {

	private static final Instant NOW = Instant.parse("2025-12-31T12:00:00Z");

	private static final RetentionPolicy policy = new RetentionPolicy(Duration.ofDays(7), Duration.ofDays(30));

	static Stream<Arguments> policies() {
		Set<String> lastSevenDays = dates("2025-12-25", "2025-12-26", "2025-12-27", "2025-12-28", "2025-12-29",
				"2025-12-30", "2025-12-31");
		Set<String> starterWeekly = dates("2025-12-28", "2025-12-21", "2025-12-14", "2025-12-07");
		Set<String> businessWeekly = union(starterWeekly,
				dates("2025-11-30", "2025-11-23", "2025-11-16", "2025-11-09"));
		Set<String> firstSundays = dates("2025-12-07", "2025-11-02", "2025-10-05", "2025-09-07", "2025-08-03",
				"2025-07-06", "2025-06-01", "2025-05-04", "2025-04-06", "2025-03-02", "2025-02-02", "2025-01-05");
		return Stream.of(
				Arguments.of("starter", PlanFamily.STARTER, union(lastSevenDays, starterWeekly), 10),
				Arguments.of("business", PlanFamily.BUSINESS, union(lastSevenDays, businessWeekly, firstSundays), 50));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("policies")
	void aYearOfBackupsKeepsExactlyWhatThePlanSays(String name, PlanFamily family, Set<String> periodicDays,
			int manualKept) {
		List<BackupRef> year = year();

		Set<String> deleted = policy.toDelete(year, NOW, family).stream().map(BackupRef::id).collect(Collectors.toSet());

		Set<String> keptPeriodic = new TreeSet<>();
		Set<String> keptManual = new TreeSet<>();
		Set<String> keptFailed = new TreeSet<>();
		for (BackupRef backup : year) {
			if (!deleted.contains(backup.id())) {
				(backup.status() == RunStatus.ERROR ? keptFailed
						: Backup.PERIODIC.equals(backup.method()) ? keptPeriodic : keptManual).add(backup.id());
			}
		}
		assertThat(keptPeriodic).isEqualTo(periodicDays.stream().map((day) -> "p-" + day).collect(Collectors.toCollection(TreeSet::new)));
		List<String> manual = year.stream().filter((b) -> b.method().equals(Backup.MANUAL)).map(BackupRef::id).sorted().toList();
		assertThat(keptManual).containsExactlyElementsOf(manual.subList(manual.size() - manualKept, manual.size()));
		// failed ones stay 7 days: of those every 10th day, only the one of 27 December is that recent
		assertThat(keptFailed).containsExactly("e-2025-12-27");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("policies")
	void theMostRecentSuccessfulBackupIsNeverDeleted(String name, PlanFamily family, Set<String> periodicDays,
			int manualKept) {
		// a database deleted two years ago: everything has expired, but its last good backup stays
		List<BackupRef> year = year();
		List<BackupRef> deleted = policy.toDelete(year, NOW.plus(Duration.ofDays(800)), family, NOW);

		assertThat(year).filteredOn((b) -> !deleted.contains(b)).extracting(BackupRef::id).containsExactly("p-2025-12-31");

		// and for a live database whose recent backups all failed
		List<BackupRef> old = List.of(periodic(LocalDate.parse("2024-01-07")), manual(LocalDate.parse("2023-05-01")),
				new BackupRef("e-recent", NOW.minus(Duration.ofDays(1)), Backup.PERIODIC, RunStatus.ERROR));
		assertThat(policy.toDelete(old, NOW, family)).isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("policies")
	void aDamagedBackupDoesNotCountAsTheLatestGoodOne(String name, PlanFamily family, Set<String> periodicDays,
			int manualKept) {
		// everything has expired; the newest backup was found damaged: the one before it is the last that restores
		List<BackupRef> year = year().stream()
			.map((b) -> b.id().equals("p-2025-12-31") ? new BackupRef(b.id(), b.createdAt(), b.method(), b.status(), true) : b)
			.toList();
		List<BackupRef> deleted = policy.toDelete(year, NOW.plus(Duration.ofDays(800)), family, NOW);

		assertThat(year).filteredOn((b) -> !deleted.contains(b)).extracting(BackupRef::id).containsExactly("p-2025-12-30");

		// a live database whose newest manual backups were all found damaged: they keep their places by the
		// rules, and the good one they would have pushed out stays too
		List<BackupRef> live = new ArrayList<>(List.of(manual(LocalDate.parse("2025-01-01"))));
		for (int i = 1; i <= manualKept; i++) {
			live.add(new BackupRef("m-damaged-" + i, NOW.minus(Duration.ofHours(i)), Backup.MANUAL, RunStatus.DONE, true));
		}
		assertThat(policy.toDelete(live, NOW, family)).isEmpty();
		// a new good one: the oldest of each kind goes
		live.add(new BackupRef("m-new", NOW.minus(Duration.ofMinutes(30)), Backup.MANUAL, RunStatus.DONE));
		assertThat(policy.toDelete(live, NOW, family)).extracting(BackupRef::id)
			.containsExactly("m-2025-01-01", "m-damaged-" + manualKept);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("policies")
	void basesOfPointInTimeRecoveryTakeNoManualPlaceAndStayForTheDailyDays(String name, PlanFamily family,
			Set<String> periodicDays, int manualKept) {
		List<BackupRef> live = new ArrayList<>();
		for (int i = 1; i <= manualKept; i++) {
			live.add(new BackupRef("m-" + i, NOW.minus(Duration.ofDays(20)).minus(Duration.ofHours(i)), Backup.MANUAL,
					RunStatus.DONE));
		}
		for (int i = 0; i < 3 * manualKept; i++) {
			live.add(new BackupRef("a-recent-" + i, NOW.minus(Duration.ofMinutes(10 + i)), Backup.ARCHIVE, RunStatus.DONE));
		}
		live.add(new BackupRef("a-old", NOW.minus(Duration.ofDays(8)), Backup.ARCHIVE, RunStatus.DONE));

		assertThat(policy.toDelete(live, NOW, family)).extracting(BackupRef::id).containsExactly("a-old");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("policies")
	void aSundayWhoseNewestBackupIsDamagedKeepsItsNewestGoodOne(String name, PlanFamily family,
			Set<String> periodicDays, int manualKept) {
		// 21 December, a Sunday held by the weekly rule, got a second periodic backup at 20:00 that a
		// verification found damaged: the slot keeps it, and the one of 02:00 that restores
		List<BackupRef> year = new ArrayList<>(year());
		year.add(new BackupRef("p-2025-12-21-late", Instant.parse("2025-12-21T20:00:00Z"), Backup.PERIODIC,
				RunStatus.DONE, true));
		Set<String> deleted = policy.toDelete(year, NOW, family).stream().map(BackupRef::id).collect(Collectors.toSet());
		assertThat(deleted).doesNotContain("p-2025-12-21", "p-2025-12-21-late");

		// once a good one is newer, the older good one goes with the slot's other backups
		year.add(new BackupRef("p-2025-12-21-later", Instant.parse("2025-12-21T22:00:00Z"), Backup.PERIODIC,
				RunStatus.DONE));
		deleted = policy.toDelete(year, NOW, family).stream().map(BackupRef::id).collect(Collectors.toSet());
		assertThat(deleted).contains("p-2025-12-21", "p-2025-12-21-late").doesNotContain("p-2025-12-21-later");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("policies")
	void aDeletedDatabaseKeepsItsBackupsForThePlansPeriod(String name, PlanFamily family, Set<String> periodicDays,
			int manualKept) {
		List<BackupRef> year = year().stream().filter((b) -> b.status() == RunStatus.DONE).toList();
		Instant deletedAt = NOW;

		assertThat(policy.toDelete(year, NOW.plus(Duration.ofDays(27)), family, deletedAt)).isEmpty();
		int days = (family == PlanFamily.STARTER) ? 32 : 367;
		assertThat(policy.toDelete(year, NOW.plus(Duration.ofDays(days)), family, deletedAt)).hasSize(year.size() - 1);
		if (family == PlanFamily.BUSINESS) {
			assertThat(policy.toDelete(year, NOW.plus(Duration.ofDays(40)), family, deletedAt)).isEmpty();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("policies")
	void backupsInFlightAreNeverTouchedAndTheOldestGoFirst(String name, PlanFamily family, Set<String> periodicDays,
			int manualKept) {
		List<BackupRef> year = new ArrayList<>(year());
		year.add(new BackupRef("r-old", Instant.parse("2025-01-01T00:00:00Z"), Backup.PERIODIC, RunStatus.RUNNING));

		List<BackupRef> deleted = policy.toDelete(year, NOW, family);

		assertThat(deleted).extracting(BackupRef::id).doesNotContain("r-old");
		assertThat(deleted).isSortedAccordingTo(java.util.Comparator.comparing(BackupRef::createdAt));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("policies")
	void backupsEverySixHoursFillTheirDaysSlotAndGoWithIt(String name, PlanFamily family, Set<String> periodicDays,
			int manualKept) {
		List<BackupRef> everySixHours = new ArrayList<>();
		for (LocalDate day = LocalDate.parse("2025-01-01"); !day.isAfter(LocalDate.parse("2025-12-31")); day = day.plusDays(1)) {
			for (int hour = 0; hour < 24; hour += 6) {
				Instant at = day.atTime(hour, 0).toInstant(ZoneOffset.UTC);
				if (!at.isAfter(NOW)) {
					everySixHours.add(new BackupRef("p-" + day + "T" + hour, at, Backup.PERIODIC, RunStatus.DONE));
				}
			}
		}

		Set<String> deleted = policy.toDelete(everySixHours, NOW, family).stream().map(BackupRef::id).collect(Collectors.toSet());

		Set<String> kept = everySixHours.stream().map(BackupRef::id).filter((id) -> !deleted.contains(id))
			.collect(Collectors.toCollection(TreeSet::new));
		Set<String> expected = new TreeSet<>();
		for (String day : periodicDays) {
			boolean dailySlot = day.compareTo("2025-12-25") >= 0;
			if (dailySlot) {
				// every backup of the day stays with its daily slot: 31 December has had three so far
				for (int hour = 0; hour < 24; hour += 6) {
					if (!day.equals("2025-12-31") || hour <= 12) {
						expected.add("p-" + day + "T" + hour);
					}
				}
			}
			else {
				// a weekly or monthly slot keeps the newest of its day only
				expected.add("p-" + day + "T18");
			}
		}
		assertThat(kept).isEqualTo(expected);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("policies")
	void aFinalBackupStaysItsOwnPeriodAndTakesNoManualPlace(String name, PlanFamily family, Set<String> periodicDays,
			int manualKept) {
		List<BackupRef> backups = new ArrayList<>(year());
		BackupRef last = new BackupRef("f-final", Instant.parse("2025-12-30T20:00:00Z"), Backup.FINAL, RunStatus.DONE);
		backups.add(last);

		List<BackupRef> deletedNow = policy.toDelete(backups, NOW, family);
		List<BackupRef> deletedLater = policy.toDelete(backups, NOW.plus(Duration.ofDays(31)), family);

		assertThat(deletedNow).doesNotContain(last);
		assertThat(backups).filteredOn((b) -> b.id().startsWith("m-") && !deletedNow.contains(b)).hasSize(manualKept);
		assertThat(deletedLater).contains(last);
		// a final backup that is the database's last good one stays, as any last good backup does
		List<BackupRef> onlyFinal = List.of(last);
		assertThat(policy.toDelete(onlyFinal, NOW.plus(Duration.ofDays(400)), family, last.createdAt())).isEmpty();
	}

	/** Periodic every day, manual every 6th day, failed every 10th day. */
	private static List<BackupRef> year() {
		List<BackupRef> backups = new ArrayList<>();
		LocalDate day = LocalDate.parse("2025-01-01");
		for (int i = 0; !day.isAfter(LocalDate.parse("2025-12-31")); i++, day = day.plusDays(1)) {
			backups.add(periodic(day));
			if (i % 6 == 0) {
				backups.add(manual(day));
			}
			if (i % 10 == 0) {
				backups.add(new BackupRef("e-" + day, day.atTime(3, 0).toInstant(ZoneOffset.UTC), Backup.PERIODIC,
						RunStatus.ERROR));
			}
		}
		return backups;
	}

	private static BackupRef periodic(LocalDate day) {
		return new BackupRef("p-" + day, day.atTime(2, 0).toInstant(ZoneOffset.UTC), Backup.PERIODIC, RunStatus.DONE);
	}

	private static BackupRef manual(LocalDate day) {
		return new BackupRef("m-" + day, day.atTime(14, 0).toInstant(ZoneOffset.UTC), Backup.MANUAL, RunStatus.DONE);
	}

	private static Set<String> dates(String... days) {
		return new TreeSet<>(List.of(days));
	}

	@SafeVarargs
	private static Set<String> union(Set<String>... sets) {
		Set<String> all = new TreeSet<>();
		for (Set<String> set : sets) {
			all.addAll(set);
		}
		return all;
	}

}
