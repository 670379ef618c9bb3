package io.coffer.web.dashboard;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.Node;
import io.coffer.catalog.RunStatus;
import io.coffer.provision.DatabaseProvisioning;
import io.coffer.node.DatabaseStats;
import io.coffer.node.PlanCatalogue;
import io.coffer.planchange.PlanChanges;
import io.coffer.system.CofferException;
import io.coffer.system.InvalidRequest;
import io.coffer.tls.TlsSwitch;
import io.coffer.redisconfig.ConfigChanges;
import io.coffer.system.ServiceProperties;
import io.coffer.system.RequestedBy;
import io.coffer.tls.CertificateAuthority;
import io.coffer.tls.DatabaseTls;
import io.coffer.web.ApiException;
import io.coffer.web.CaCertificateDownload;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The list of databases (operator) and a database's Overview and Settings tabs. */
@Controller
@RequestMapping("/dashboard")
class DashboardController {

	private static final Map<String, String> SETTING_NAMES = Map.of("rdb", "RDB persistence", "aof",
			"AOF persistence", "cache_mode", "Cache mode", "force_tls", "Forced TLS");

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final DatabaseAccess access;

	private final LiveNode live;

	private final ServiceProperties service;

	private final DatabaseProvisioning provisioning;

	private final ConfigChanges configChanges;

	private final DatabaseStats stats;

	private final PlanCatalogue plans;

	private final PlanChanges planChanges;

	private final DatabaseTls tls;

	private final TlsSwitch tlsSwitch;

	private final CertificateAuthority authority;

	private final Formats formats;

	DashboardController(DatabaseRepository databases, BackupRepository backups, DatabaseAccess access,
			LiveNode live, ServiceProperties service, DatabaseProvisioning provisioning,
			ConfigChanges configChanges, DatabaseStats stats, PlanCatalogue plans, PlanChanges planChanges,
			DatabaseTls tls, TlsSwitch tlsSwitch, CertificateAuthority authority, Formats formats) {
		this.databases = databases;
		this.backups = backups;
		this.access = access;
		this.live = live;
		this.service = service;
		this.provisioning = provisioning;
		this.configChanges = configChanges;
		this.stats = stats;
		this.plans = plans;
		this.planChanges = planChanges;
		this.tls = tls;
		this.tlsSwitch = tlsSwitch;
		this.authority = authority;
		this.formats = formats;
	}

	/** Enable/Disable of a setting: starts the configuration job, as {@code PATCH /config} does. */
	@PostMapping("/databases/{db}/settings/configuration")
	String changeSetting(@AuthenticationPrincipal DashboardUser user, @PathVariable String db,
			@RequestParam String setting, @RequestParam boolean enabled, RedirectAttributes redirect) {
		this.access.find(user, db);
		if (!SETTING_NAMES.containsKey(setting)) {
			throw new InvalidRequest("unknown setting " + setting);
		}
		try {
			this.configChanges.request(db, Map.of(setting, enabled),
					RequestedBy.of(user.isOperator()));
			redirect.addFlashAttribute("notice", SETTING_NAMES.get(setting) + " is being " + (enabled ? "enabled" : "disabled")
					+ " on every node of the database.");
		}
		catch (CofferException ex) {
			redirect.addFlashAttribute("problem", ex.getMessage());
		}
		// forced TLS lives on the Internet Access tab, the other settings on the Configuration tab
		return "redirect:/dashboard/databases/" + db + "/settings/"
				+ ("force_tls".equals(setting) ? "internet-access" : "configuration");
	}

	/** Settings › Internet Access › Download CA certificate: the same file as the API's. */
	@GetMapping("/databases/{db}/ca-certificate")
	ResponseEntity<String> caCertificate(@AuthenticationPrincipal DashboardUser user, @PathVariable String db) {
		return CaCertificateDownload.of(this.authority, this.tlsSwitch.refusal(this.access.find(user, db)));
	}

	/**
	 * The Overview's container figures and the charts of their last hour (null before the samples they
	 * need), or the sentence saying why they could not be read.
	 */
	record Usage(DatabaseStats.Stats stats, String problem, BackupChart cpuChart, BackupChart memoryChart) {
	}

	private Usage usage(Database database) {
		DatabaseStats.Stats read;
		try {
			read = this.stats.of(database);
		}
		catch (CofferException ex) {
			return new Usage(null, ex.getMessage(), null, null);
		}
		List<DatabaseStats.Sample> samples = read.container().samples();
		List<DatabaseStats.Sample> measured = samples.stream().filter((sample) -> sample.cpuPercent() != null).toList();
		BackupChart cpu = measured.isEmpty() ? null : BackupChart.plot("CPU usage", measured, DatabaseStats.Sample::at,
				DatabaseStats.Sample::cpuPercent, (value) -> String.format(Locale.ROOT, "%.0f %%", value),
				this.formats::time, this.formats);
		BackupChart memory = samples.isEmpty() ? null : BackupChart.plot("Memory usage", samples,
				DatabaseStats.Sample::at, DatabaseStats.Sample::memory,
				(value) -> this.formats.roughSize(Math.round(value)), this.formats::time, this.formats);
		return new Usage(read, null, cpu, memory);
	}

	/**
	 * Change plan: starts the plan change, as {@code POST /plan} does, once the user confirmed that
	 * connections drop and the app restarts.
	 */
	@PostMapping("/databases/{db}/settings/plan")
	String changePlan(@AuthenticationPrincipal DashboardUser user, @PathVariable String db, @RequestParam String plan,
			@RequestParam(defaultValue = "false") boolean confirmed, RedirectAttributes redirect) {
		this.access.find(user, db);
		if (!confirmed) {
			redirect.addFlashAttribute("problem", "Confirm the plan change first: connections to the database drop "
					+ "briefly and the app restarts.");
			return "redirect:/dashboard/databases/" + db + "/settings";
		}
		try {
			this.planChanges.request(db, Map.of("plan", plan),
					RequestedBy.of(user.isOperator()));
			redirect.addFlashAttribute("notice", "The database is moving to plan " + plan
					+ ": connections drop briefly, and the app restarts once it is done.");
		}
		catch (CofferException ex) {
			redirect.addFlashAttribute("problem", ex.getMessage());
		}
		return "redirect:/dashboard/databases/" + db + "/settings";
	}

	/** The URL with its password replaced by dots. */
	static String masked(String url) {
		return url.replaceFirst("^(\\w+://[^:/@]*:)[^@]*@", "$1••••••••@");
	}

	/** A line of the operator's list; {@code lastBackup} is null when the database has none yet. */
	record DatabaseRow(Database database, Backup lastBackup, boolean lastFailed) {
	}

	@GetMapping
	String home(@AuthenticationPrincipal DashboardUser user, Model model) {
		if (!user.isOperator()) {
			return "redirect:/dashboard/databases/" + user.databaseId();
		}
		Map<String, Backup> newest = this.backups.findNewestOfEach();
		List<DatabaseRow> rows = this.databases.findAllLive()
			.stream()
			.sorted(Comparator.comparing(Database::app))
			.map((database) -> {
				Backup last = newest.get(database.id());
				return new DatabaseRow(database, last, last != null && last.status() == RunStatus.ERROR);
			})
			.toList();
		model.addAttribute("user", user);
		model.addAttribute("rows", rows);
		return "dashboard/databases";
	}

	@GetMapping("/databases/{db}")
	String overview(@AuthenticationPrincipal DashboardUser user, @PathVariable String db,
			@RequestParam(name = "password", required = false) String showPassword, Model model) {
		Database database = page(user, db, "overview", model);
		model.addAttribute("live", this.live.status(database));
		model.addAttribute("usage", usage(database));
		Node primary = LiveNode.primary(database).orElse(null);
		if (primary != null) {
			// as in the API: a provisioned database's URL carries its password (hidden here until asked);
			// a registered database's password came from the operator and is never shown back
			Optional<String> provisionedUrl = this.provisioning.redisUrl(database);
			boolean shown = "show".equals(showPassword);
			String url = provisionedUrl.map((withPassword) -> shown ? withPassword : masked(withPassword))
				.orElse("redis://" + primary.address());
			model.addAttribute("env",
					List.of("REDIS_URL=" + url, this.service.platformPrefix() + "_REDIS_URL=" + url));
			model.addAttribute("hasPassword", provisionedUrl.isPresent());
			model.addAttribute("passwordShown", shown);
		}
		return "dashboard/overview";
	}

	@GetMapping({ "/databases/{db}/settings", "/databases/{db}/settings/{section}" })
	String settings(@AuthenticationPrincipal DashboardUser user, @PathVariable String db,
			@PathVariable(required = false) String section, Model model) {
		Database database = page(user, db, "settings", model);
		String shown = (section == null) ? "general" : section;
		if (!List.of("general", "configuration", "internet-access").contains(shown)) {
			return "redirect:/dashboard/databases/" + db + "/settings";
		}
		model.addAttribute("section", shown);
		if ("general".equals(shown)) {
			model.addAttribute("live", this.live.status(database));
		}
		if ("configuration".equals(shown)) {
			model.addAttribute("config", this.live.configuration(database));
		}
		if ("general".equals(shown) && database.plan() != null) {
			model.addAttribute("otherPlans", this.plans.all().stream().filter((plan) -> !plan.name().equals(database.plan())).toList());
			model.addAttribute("lastPlanChangeError", this.planChanges.lastError(db).orElse(null));
		}
		if ("internet-access".equals(shown)) {
			// null when TLS cannot be forced here: the page says why instead of offering the button
			String refusal = this.tlsSwitch.refusal(database).orElse(null);
			model.addAttribute("tlsRefusal", refusal);
			model.addAttribute("forceTls", (refusal == null) ? this.tls.forced(database.id()) : null);
		}
		return "dashboard/settings";
	}

	/**
	 * A page of the dashboard that does not exist gets the dashboard's 404 page rather than the API's
	 * JSON. Patterns lose to every page mapped above, and leave {@code /dashboard/assets/*} to the
	 * static resources.
	 */
	@GetMapping({ "/{page}", "/databases/{db}/**" })
	String notFound() {
		throw ApiException.notFound("page");
	}

	private Database page(DashboardUser user, String db, String tab, Model model) {
		Database database = this.access.find(user, db);
		model.addAttribute("user", user);
		model.addAttribute("database", database);
		model.addAttribute("tab", tab);
		return database;
	}

}
