package io.coffer.web.dashboard;

import java.io.IOException;

import io.coffer.backup.CatalogueSnapshots;
import io.coffer.system.CofferException;
import io.coffer.web.ApiException;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The "Write a snapshot now" action of the operator's Databases page: what
 * {@code POST /api/v1/admin/catalogue/snapshots} does. The rebuild stays with the API and the CLI: it is run
 * on an instance whose catalogue is empty, where nobody has signed in to anything yet.
 */
@Controller
@RequestMapping("/dashboard")
class CatalogueSnapshotPages {

	private final CatalogueSnapshots snapshots;

	CatalogueSnapshotPages(CatalogueSnapshots snapshots) {
		this.snapshots = snapshots;
	}

	@PostMapping("/catalogue/snapshot")
	String write(@AuthenticationPrincipal DashboardUser user, RedirectAttributes redirect) {
		if (!user.isOperator()) {
			throw ApiException.notFound("this page");
		}
		try {
			CatalogueSnapshots.Written written = this.snapshots.write();
			redirect.addFlashAttribute("notice", "Snapshot " + written.objectKey() + " written: "
					+ written.rows().get("databases") + " databases, " + written.rows().get("backups") + " backups.");
		}
		catch (CofferException ex) {
			redirect.addFlashAttribute("problem", ex.getMessage());
		}
		catch (IOException ex) {
			redirect.addFlashAttribute("problem", "The snapshot could not be written: " + ex.getMessage());
		}
		return "redirect:/dashboard";
	}

}
