package io.coffer.web.dashboard;

import java.io.IOException;
import java.util.List;

import io.coffer.backup.BackupLauncher;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.Node;
import io.coffer.catalog.Restore;
import io.coffer.catalog.RestoreRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.node.PlanCatalogue;
import io.coffer.pitr.PointInTimeRecovery;
import io.coffer.restore.RestoreLauncher;
import io.coffer.schedule.BackupScheduleService;
import io.coffer.storage.CopyStore;
import io.coffer.system.CofferException;
import io.coffer.web.ApiException;
import io.coffer.web.ArchiveDownload;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The Backups tab and what it starts: backups, downloads, the schedule, restores. Actions answer with a
 * redirect and a sentence (post/redirect/get), so that reloading a page never repeats them.
 */
@Controller
@RequestMapping("/dashboard/databases/{db}")
class BackupPages {

	private final DatabaseAccess access;

	private final BackupRepository backups;

	private final RestoreRepository restores;

	private final BackupLauncher backupLauncher;

	private final RestoreLauncher restoreLauncher;

	private final BackupScheduleService schedules;

	private final ArchiveDownload download;

	private final Formats formats;

	private final PlanCatalogue plans;

	private final CopyStore copies;

	private final PointInTimeRecovery recovery;

	BackupPages(DatabaseAccess access, BackupRepository backups, RestoreRepository restores,
			BackupLauncher backupLauncher, RestoreLauncher restoreLauncher, BackupScheduleService schedules,
			ArchiveDownload download, Formats formats, PlanCatalogue plans, CopyStore copies,
			PointInTimeRecovery recovery) {
		this.recovery = recovery;
		this.plans = plans;
		this.copies = copies;
		this.access = access;
		this.backups = backups;
		this.restores = restores;
		this.backupLauncher = backupLauncher;
		this.restoreLauncher = restoreLauncher;
		this.schedules = schedules;
		this.download = download;
		this.formats = formats;
	}

	@GetMapping("/backups")
	String backups(@AuthenticationPrincipal DashboardUser user, @PathVariable String db, Model model) {
		Database database = this.access.find(user, db);
		List<Backup> all = this.backups.findAll(db);
		model.addAttribute("user", user);
		model.addAttribute("database", database);
		model.addAttribute("tab", "backups");
		model.addAttribute("schedule", this.schedules.get(db, this.plans.everyHoursAllowed(database.plan())));
		model.addAttribute("backups", all);
		model.addAttribute("copies", this.copies.isConfigured());
		model.addAttribute("running", all.stream().anyMatch((backup) -> !backup.status().isFinished()));
		model.addAttribute("sizeChart", BackupChart.sizes(all, this.formats));
		model.addAttribute("durationChart", BackupChart.durations(all, this.formats));
		PointInTimeRecovery.Status pitr = this.recovery.status(db);
		model.addAttribute("pitr", pitr);
		model.addAttribute("timeline", PitrTimeline.of(pitr));
		return "dashboard/backups";
	}

	/** One row of the table, which the page's script polls while the backup runs. */
	@GetMapping("/backups/{backup}/row")
	String row(@AuthenticationPrincipal DashboardUser user, @PathVariable String db, @PathVariable String backup,
			Model model) {
		Database database = this.access.find(user, db);
		model.addAttribute("database", database);
		Backup found = this.backups.find(db, backup).orElseThrow(() -> ApiException.notFound("backup " + backup));
		// the row fragment is the table's th:each, over a list of one here
		model.addAttribute("backups", List.of(found));
		model.addAttribute("copies", this.copies.isConfigured());
		return "dashboard/backups :: row";
	}

	@PostMapping("/backups")
	String backUp(@AuthenticationPrincipal DashboardUser user, @PathVariable String db, RedirectAttributes redirect) {
		this.access.find(user, db);
		try {
			Backup started = this.backupLauncher.launch(db, Backup.MANUAL);
			redirect.addFlashAttribute("notice", "Backup " + started.id() + " has started.");
		}
		catch (CofferException ex) {
			redirect.addFlashAttribute("problem", sentence(ex));
		}
		return "redirect:/dashboard/databases/" + db + "/backups";
	}

	@PostMapping("/backup-schedule")
	String schedule(@AuthenticationPrincipal DashboardUser user, @PathVariable String db,
			@RequestParam(defaultValue = "false") boolean enabled, @RequestParam(required = false) Integer hour,
			@RequestParam(name = "every_hours", required = false) Integer everyHours, RedirectAttributes redirect) {
		Database database = this.access.find(user, db);
		try {
			BackupScheduleService.Schedule schedule = this.schedules.update(db, enabled, enabled ? hour : null, null,
					enabled ? everyHours : null, this.plans.everyHoursAllowed(database.plan()));
			redirect.addFlashAttribute("notice", !schedule.enabled() ? "Scheduled backups are off."
					: (schedule.everyHours() >= 24) ? "Scheduled backups are on: every day at " + schedule.scheduleAt() + "."
							: "Scheduled backups are on: every " + schedule.everyHours() + " hours from "
									+ schedule.scheduleAt() + ".");
		}
		catch (CofferException ex) {
			redirect.addFlashAttribute("problem", sentence(ex));
		}
		return "redirect:/dashboard/databases/" + db + "/backups";
	}

	/**
	 * The archive of a done backup, sent by the API's own {@link ArchiveDownload}: decrypted while it
	 * streams, with its exact length. A failure once bytes are sent cuts the download short of that
	 * length, so that the browser never keeps a damaged archive as a complete one.
	 */
	@GetMapping("/backups/{backup}/archive")
	void download(@AuthenticationPrincipal DashboardUser user, @PathVariable String db, @PathVariable String backup,
			HttpServletResponse response) throws IOException {
		this.access.find(user, db);
		this.download.send(doneBackup(db, backup), null, response);
	}

	/** Asks before overwriting: names the database and the node whose data the backup replaces. */
	@GetMapping("/backups/{backup}/restore")
	String confirmRestore(@AuthenticationPrincipal DashboardUser user, @PathVariable String db,
			@PathVariable String backup, Model model) {
		Database database = this.access.find(user, db);
		model.addAttribute("user", user);
		model.addAttribute("database", database);
		model.addAttribute("tab", "backups");
		model.addAttribute("backup", doneBackup(db, backup));
		model.addAttribute("node", LiveNode.primary(database).map(Node::address).orElse(null));
		return "dashboard/restore-confirm";
	}

	@PostMapping("/backups/{backup}/restore")
	String restore(@AuthenticationPrincipal DashboardUser user, @PathVariable String db, @PathVariable String backup,
			@RequestParam(required = false) String keys, @RequestParam(required = false) String dryRun,
			RedirectAttributes redirect) {
		this.access.find(user, db);
		try {
			// the field takes comma-separated patterns; left empty, the whole backup is restored
			List<String> patterns = (keys == null || keys.isBlank()) ? null
					: java.util.Arrays.stream(keys.split(",")).map(String::trim).filter((p) -> !p.isEmpty()).toList();
			Restore started = this.restoreLauncher.launch(db, backup, Restore.IN_PLACE, db, null,
					(patterns != null && patterns.isEmpty()) ? List.of("") : patterns, (patterns != null) && dryRun != null);
			return "redirect:/dashboard/databases/" + db + "/restores/" + started.id();
		}
		catch (CofferException ex) {
			redirect.addFlashAttribute("problem", sentence(ex));
			return "redirect:/dashboard/databases/" + db + "/backups";
		}
	}

	@GetMapping("/restores/{restore}")
	String restoreStatus(@AuthenticationPrincipal DashboardUser user, @PathVariable String db,
			@PathVariable String restore, @RequestParam(required = false) String fragment, Model model) {
		Database database = this.access.find(user, db);
		model.addAttribute("user", user);
		model.addAttribute("database", database);
		model.addAttribute("tab", "backups");
		model.addAttribute("restore",
				this.restores.find(db, restore).orElseThrow(() -> ApiException.notFound("restore " + restore)));
		return (fragment != null) ? "dashboard/restore :: status" : "dashboard/restore";
	}

	private Backup doneBackup(String db, String backup) {
		Backup found = this.backups.find(db, backup).orElseThrow(() -> ApiException.notFound("backup " + backup));
		if (found.status() != RunStatus.DONE) {
			throw ApiException.conflict("backup_not_done",
					"backup " + backup + " is " + found.status().value() + ": only a done backup has an archive");
		}
		return found;
	}

	/** The API's message, as a sentence for the page. */
	static String sentence(CofferException ex) {
		String message = ex.getMessage();
		if (message == null || message.isEmpty()) {
			return "That did not work.";
		}
		String sentence = Character.toUpperCase(message.charAt(0)) + message.substring(1);
		return sentence.endsWith(".") ? sentence : sentence + ".";
	}

}
