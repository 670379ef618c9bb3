package io.coffer.web.dashboard;

import io.coffer.catalog.BackupInProgress;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.TokenRepository;
import io.coffer.redis.RedisUnavailable;
import io.coffer.system.AdminToken;
import io.coffer.system.CofferException;
import io.coffer.system.InvalidRequest;
import io.coffer.tls.TlsNotSupported;
import io.coffer.web.WebSliceSettings;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Controller;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.model;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.view;

/**
 * The dashboard answers a domain exception with a page, at the status the API answers it with, and a
 * sentence; a missing page says nothing of what exists.
 */
@WebMvcTest(controllers = DashboardErrorsTest.FailingPages.class)
@Import({ WebSliceSettings.class, DashboardErrorsTest.FailingPages.class })
class DashboardErrorsTest {

	@Autowired
	private MockMvc mvc;

	@MockitoBean
	private AdminToken adminToken;

	@MockitoBean
	private TokenRepository tokens;

	/** A page of the dashboard's package, failing as it is told to. */
	@Controller
	static class FailingPages {

		@GetMapping("/dashboard/failing/{what}")
		String fail(@PathVariable String what) {
			CofferException failure = switch (what) {
				case "busy" -> new BackupInProgress("a backup of my-app-3030 is already running; wait for it to finish");
				case "gone" -> new DatabaseNotFound("my-app-3030");
				case "invalid" -> new InvalidRequest("unknown setting colour");
				case "refused" -> new TlsNotSupported("my-app-3030 is registered: its certificates are its own");
				default -> new RedisUnavailable("redis_unreachable", "the primary does not answer", null);
			};
			throw failure;
		}

	}

	@Test
	void aConflictIsA409PageWithTheSentence() throws Exception {
		this.mvc.perform(get("/dashboard/failing/busy"))
			.andExpect(status().isConflict())
			.andExpect(view().name("dashboard/problem"))
			.andExpect(model().attribute("status", 409))
			.andExpect(model().attribute("sentence",
					"A backup of my-app-3030 is already running; wait for it to finish."))
			.andExpect(content().string(containsString("That did not work")));
	}

	@Test
	void somethingNotFoundSaysNothingOfWhatExists() throws Exception {
		this.mvc.perform(get("/dashboard/failing/gone"))
			.andExpect(status().isNotFound())
			.andExpect(model().attribute("sentence", "There is nothing here, or your token does not give access to it."));
	}

	@Test
	void anInvalidRequestIs400AndARefusalIs422() throws Exception {
		this.mvc.perform(get("/dashboard/failing/invalid"))
			.andExpect(status().isBadRequest())
			.andExpect(model().attribute("sentence", "Unknown setting colour."));
		this.mvc.perform(get("/dashboard/failing/refused"))
			.andExpect(status().is(422))
			.andExpect(model().attribute("status", 422));
	}

	@Test
	void aNodeThatDoesNotAnswerIs503() throws Exception {
		this.mvc.perform(get("/dashboard/failing/down"))
			.andExpect(status().isServiceUnavailable())
			.andExpect(model().attribute("sentence", "The primary does not answer."));
	}

}
