package io.coffer.web;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's answer to what it refuses before any servlet runs (a NUL or an encoded slash in the path, a
 * malformed request line): the API's {@code {"error", "message"}} rather than Tomcat's HTML page. What
 * reaches the application is answered by {@link ErrorPageController}; this valve writes only when
 * nothing else has.
 */
final class ApiErrorReportValve extends ErrorReportValve {

	ApiErrorReportValve() {
		setShowReport(false);
		setShowServerInfo(false);
	}

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		ApiError error = ApiError.forStatus(status);
		try {
			response.setContentType("application/json");
			response.setCharacterEncoding("UTF-8");
			PrintWriter writer = response.getReporter();
			if (writer != null) {
				writer.write(new String(ApiError.bytes(error.error(), error.message()), StandardCharsets.UTF_8));
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// the client went away, or the response could not take a body: nothing more to say
		}
	}

}
