package io.coffer.web.dashboard;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import io.coffer.catalog.Database;
import io.coffer.catalog.Node;
import io.coffer.catalog.Restore;
import io.coffer.pitr.PointInTimeRecovery;
import io.coffer.system.CofferException;
import io.coffer.web.RestoreRequests;

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
 * Point-in-time recovery on the Backups tab: turning it on or off, and "Restore to a point in time", which asks
 * for confirmation as restores do and then posts what {@code POST /databases/{db}/restores {"at", "target"}}
 * takes (a refusal, such as a time outside the window, is the API's own sentence on the page).
 */
@Controller
@RequestMapping("/dashboard/databases/{db}")
class PitrPages {

	private final DatabaseAccess access;

	private final PointInTimeRecovery recovery;

	private final RestoreRequests restores;

	PitrPages(DatabaseAccess access, PointInTimeRecovery recovery, RestoreRequests restores) {
		this.access = access;
		this.recovery = recovery;
		this.restores = restores;
	}

	@PostMapping("/pitr")
	String toggle(@AuthenticationPrincipal DashboardUser user, @PathVariable String db,
			@RequestParam(defaultValue = "false") boolean enabled, RedirectAttributes redirect) {
		this.access.find(user, db);
		try {
			this.recovery.setEnabled(db, enabled);
			redirect.addFlashAttribute("notice", enabled
					? "Point-in-time recovery is on: the replication stream is archived within seconds."
					: "Point-in-time recovery is off. What was archived is kept.");
		}
		catch (CofferException ex) {
			redirect.addFlashAttribute("problem", BackupPages.sentence(ex));
		}
		return "redirect:/dashboard/databases/" + db + "/backups#pitr";
	}

	/** Asks before overwriting: the time, and the database and node whose data it replaces. */
	@GetMapping("/restore-at")
	String confirm(@AuthenticationPrincipal DashboardUser user, @PathVariable String db, @RequestParam String at,
			@RequestParam(defaultValue = Restore.IN_PLACE) String target, @RequestParam(required = false) String app,
			Model model, RedirectAttributes redirect) {
		Database database = this.access.find(user, db);
		Instant time = utc(at);
		if (time == null) {
			redirect.addFlashAttribute("problem", "Choose the time to restore to (UTC).");
			return "redirect:/dashboard/databases/" + db + "/backups#pitr";
		}
		model.addAttribute("user", user);
		model.addAttribute("database", database);
		model.addAttribute("tab", "backups");
		model.addAttribute("at", time);
		model.addAttribute("target", Restore.NEW_DATABASE.equals(target) ? Restore.NEW_DATABASE : Restore.IN_PLACE);
		model.addAttribute("app", (app != null && !app.isBlank()) ? app.trim() : null);
		model.addAttribute("status", this.recovery.status(db));
		model.addAttribute("node", LiveNode.primary(database).map(Node::address).orElse(null));
		return "dashboard/restore-at-confirm";
	}

	@PostMapping("/restore-at")
	String restore(@AuthenticationPrincipal DashboardUser user, @PathVariable String db, @RequestParam String at,
			@RequestParam(defaultValue = Restore.IN_PLACE) String target, @RequestParam(required = false) String app,
			RedirectAttributes redirect) {
		this.access.find(user, db);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("at", at);
		body.put("target", target);
		if (app != null && !app.isBlank()) {
			body.put("app", app.trim());
		}
		try {
			String restore = this.restores.start(user.databaseId(), db, body);
			return "redirect:/dashboard/databases/" + db + "/restores/" + restore;
		}
		catch (CofferException ex) {
			redirect.addFlashAttribute("problem", BackupPages.sentence(ex));
			return "redirect:/dashboard/databases/" + db + "/backups#pitr";
		}
	}

	/**
	 * The time picker's value ({@code 2026-12-01T14:03:07.250}, no zone: the page says UTC) or an instant with its
	 * offset; null when it is neither.
	 */
	static Instant utc(String text) {
		if (text == null || text.isBlank()) {
			return null;
		}
		try {
			return LocalDateTime.parse(text.trim()).toInstant(ZoneOffset.UTC);
		}
		catch (DateTimeParseException ex) {
			try {
				return java.time.OffsetDateTime.parse(text.trim()).toInstant();
			}
			catch (DateTimeParseException notAnInstant) {
				return null;
			}
		}
	}

}
