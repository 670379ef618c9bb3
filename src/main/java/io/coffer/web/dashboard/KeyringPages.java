package io.coffer.web.dashboard;

import io.coffer.keyring.KeyringOperations;
import io.coffer.schedule.ServiceJobs;
import io.coffer.system.CofferException;
import io.coffer.web.ApiException;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The "Rotate keys" action of the operator's Databases page: what {@code POST /api/v1/keyring/rotate} does.
 * Retiring an old key, which is refused while anything uses it, stays with the API and the CLI.
 */
@Controller
@RequestMapping("/dashboard")
class KeyringPages {

	private final KeyringOperations keyring;

	private final ServiceJobs jobs;

	KeyringPages(KeyringOperations keyring, ServiceJobs jobs) {
		this.keyring = keyring;
		this.jobs = jobs;
	}

	@PostMapping("/keyring/rotate")
	String rotate(@AuthenticationPrincipal DashboardUser user, RedirectAttributes redirect) {
		if (!user.isOperator()) {
			throw ApiException.notFound("this page");
		}
		try {
			String added = this.keyring.rotate();
			JobExecution rewrap = this.jobs.launch(KeyringOperations.REWRAP_JOB, "dashboard");
			redirect.addFlashAttribute("notice", "New backups use key " + added + "; rewrapKeysJob (execution "
					+ rewrap.getId() + ") re-wraps the stored ones. Back up the keyring file again.");
		}
		catch (CofferException ex) {
			redirect.addFlashAttribute("problem", ex.getMessage());
		}
		return "redirect:/dashboard";
	}

}
