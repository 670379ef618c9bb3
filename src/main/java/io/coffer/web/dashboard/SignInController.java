package io.coffer.web.dashboard;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The way in: {@code /} leads to the sign-in page, which signed-in users skip. */
@Controller
class SignInController {

	@GetMapping("/")
	String root(@AuthenticationPrincipal DashboardUser user) {
		return (user != null) ? "redirect:/dashboard" : "redirect:" + DashboardSecurityConfiguration.SIGN_IN;
	}

	@GetMapping(DashboardSecurityConfiguration.SIGN_IN)
	String signIn(@AuthenticationPrincipal DashboardUser user) {
		return (user != null) ? "redirect:/dashboard" : "dashboard/sign-in";
	}

}
