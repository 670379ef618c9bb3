package io.coffer.web;

import java.util.List;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.ModelAndView;

/**
 * The error page of whatever fails outside a controller (Spring Security's firewall, the container,
 * a filter): on the API and the actuator, and for any client that does not ask for HTML, the API's
 * {@code {"error", "message"}}; for a browser elsewhere, the dashboard's page. Never a stack trace,
 * and never what the request said: a sentence per status.
 */
@Controller
class ErrorPageController implements ErrorController {

	private static final Logger log = LoggerFactory.getLogger(ErrorPageController.class);

	@RequestMapping("${server.error.path:/error}")
	Object error(HttpServletRequest request) {
		HttpStatus status = statusOf(request);
		if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable failure
				&& status.is5xxServerError()) {
			log.error("Request to {} failed", request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI), failure);
		}
		if (wantsJson(request)) {
			ApiError error = ApiError.forStatus(status.value());
			return ApiError.response(status, error.error(), error.message());
		}
		ModelAndView page = new ModelAndView("error");
		page.setStatus(status);
		page.addObject("status", status.value());
		return page;
	}

	private static HttpStatus statusOf(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatus status = (code instanceof Integer value) ? HttpStatus.resolve(value) : null;
		// asked for directly, /error is just a path that holds nothing
		return (status != null && status.isError()) ? status : HttpStatus.NOT_FOUND;
	}

	private static boolean wantsJson(HttpServletRequest request) {
		Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
		String path = (uri instanceof String value) ? value : "";
		if (path.startsWith("/api/") || path.startsWith("/actuator")) {
			return true;
		}
		if (path.equals("/") || path.startsWith("/dashboard")) {
			return false;
		}
		String accept = request.getHeader(HttpHeaders.ACCEPT);
		if (accept == null) {
			return true;
		}
		try {
			List<MediaType> types = MediaType.parseMediaTypes(accept);
			return types.stream().noneMatch((type) -> type.isCompatibleWith(MediaType.TEXT_HTML) && !type.isWildcardType());
		}
		catch (RuntimeException ex) {
			return true;
		}
	}

}
