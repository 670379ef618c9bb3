package io.coffer.web.dashboard;

import io.coffer.system.CofferException;
import io.coffer.web.ErrorStatus;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.servlet.ModelAndView;

/**
 * The dashboard's errors as a page with a sentence, never a stack trace. Ordered before the API's
 * JSON handler, which would otherwise answer for these controllers too.
 */
@ControllerAdvice(basePackageClasses = DashboardErrors.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class DashboardErrors {

	private static final Logger log = LoggerFactory.getLogger(DashboardErrors.class);

	/** A capability's refusal or failure, with the status the API would answer it with. */
	@ExceptionHandler(CofferException.class)
	ModelAndView domain(CofferException ex, HttpServletResponse response) {
		HttpStatus status = ErrorStatus.of(ex);
		if (status.is5xxServerError()) {
			log.warn("{}: {}", ex.code(), ex.getMessage(), ex.getCause());
		}
		String sentence = (status == HttpStatus.NOT_FOUND)
				? "There is nothing here, or your token does not give access to it."
				: BackupPages.sentence(ex);
		return page(status, sentence, response);
	}

	@ExceptionHandler(DataAccessResourceFailureException.class)
	ModelAndView catalogueDown(DataAccessResourceFailureException ex, HttpServletResponse response) {
		log.error("The catalogue database is unreachable", ex);
		return page(HttpStatus.SERVICE_UNAVAILABLE,
				"The catalogue database is unreachable just now; try again in a moment.", response);
	}

	@ExceptionHandler(Exception.class)
	ModelAndView unexpected(Exception ex, HttpServletResponse response) {
		if (response.isCommitted()) {
			// a download already on its way: nothing can be added to it
			log.debug("Not answering on a committed response: {}", ex.toString());
			return new ModelAndView();
		}
		log.error("Unexpected error in the dashboard", ex);
		return page(HttpStatus.INTERNAL_SERVER_ERROR, "Something went wrong on our side; the error was logged.",
				response);
	}

	private static ModelAndView page(HttpStatus status, String sentence, HttpServletResponse response) {
		if (response.isCommitted()) {
			return new ModelAndView();
		}
		ModelAndView page = new ModelAndView("dashboard/problem");
		page.setStatus(status);
		page.addObject("status", status.value());
		page.addObject("sentence", sentence);
		return page;
	}

}
