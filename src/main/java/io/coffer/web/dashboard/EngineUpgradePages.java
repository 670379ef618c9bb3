package io.coffer.web.dashboard;

import java.util.Map;

import io.coffer.engine.EngineUpgrades;
import io.coffer.system.CofferException;
import io.coffer.system.RequestedBy;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The Upgrade button of Settings › General › Database Version: starts the engine upgrade, as
 * {@code POST /databases/{db}/upgrade} does, once its confirmation said what downtime to expect.
 */
@Controller
@RequestMapping("/dashboard")
class EngineUpgradePages {

	private final DatabaseAccess access;

	private final EngineUpgrades upgrades;

	EngineUpgradePages(DatabaseAccess access, EngineUpgrades upgrades) {
		this.access = access;
		this.upgrades = upgrades;
	}

	@PostMapping("/databases/{db}/settings/upgrade")
	String upgrade(@AuthenticationPrincipal DashboardUser user, @PathVariable String db, @RequestParam String version,
			RedirectAttributes redirect) {
		this.access.find(user, db);
		try {
			this.upgrades.request(db, Map.of("version", version),
					RequestedBy.of(user.isOperator()));
			redirect.addFlashAttribute("notice", "The upgrade to " + version + " has started; reload this page to "
					+ "follow it.");
		}
		catch (CofferException ex) {
			redirect.addFlashAttribute("problem", ex.getMessage());
		}
		return "redirect:/dashboard/databases/" + db + "/settings";
	}

}
