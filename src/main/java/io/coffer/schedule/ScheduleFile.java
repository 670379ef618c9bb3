package io.coffer.schedule;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeMap;

import org.quartz.CronExpression;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * One file of {@code schedules/}: a service-wide job and the cron expression (Quartz's, seconds
 * first) it runs on. The schedule's name is the file's name without {@code .yml}.
 * <pre>
 * job: retentionJob
 * cron: "0 30 5 * * ?"
 * time-zone: UTC          # optional, UTC by default
 * </pre>
 */
record ScheduleFile(String name, String job, String cron, TimeZone timeZone, String description) {

	private static final Set<String> KEYS = Set.of("job", "cron", "time-zone", "description");

	/**
	 * Reads and checks a schedule file.
	 * @param knownJobs the names a schedule may refer to
	 * @throws InvalidScheduleException naming the file and the line at fault
	 */
	static ScheduleFile read(Path file, Set<String> knownJobs) {
		String fileName = file.getFileName().toString();
		String name = fileName.substring(0, fileName.lastIndexOf('.'));
		Node root;
		try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			root = new Yaml(new LoaderOptions()).compose(reader);
		}
		catch (MarkedYAMLException ex) {
			// the context (e.g. where an unclosed quote opened) is where the mistake is, when known
			Mark mark = (ex.getContextMark() != null) ? ex.getContextMark() : ex.getProblemMark();
			String context = (ex.getContext() != null) ? " (" + ex.getContext() + ")" : "";
			throw new InvalidScheduleException(file, (mark != null) ? mark.getLine() + 1 : 1,
					"is not valid YAML: " + ex.getProblem() + context);
		}
		catch (IOException ex) {
			throw new InvalidScheduleException(file, 1, "cannot be read: " + ex.getMessage());
		}
		if (!(root instanceof MappingNode mapping)) {
			throw new InvalidScheduleException(file, (root != null) ? line(root) : 1,
					"must be a mapping with job and cron, like: job: retentionJob / cron: \"0 30 5 * * ?\"");
		}
		Map<String, ScalarNode> values = new TreeMap<>();
		for (NodeTuple tuple : mapping.getValue()) {
			String key = (tuple.getKeyNode() instanceof ScalarNode scalar) ? scalar.getValue() : null;
			if (key == null || !KEYS.contains(key)) {
				throw new InvalidScheduleException(file, line(tuple.getKeyNode()),
						"has an unknown key " + ((key != null) ? "'" + key + "'" : "") + "; the keys are " + KEYS);
			}
			if (!(tuple.getValueNode() instanceof ScalarNode value)) {
				throw new InvalidScheduleException(file, line(tuple.getValueNode()), key + " must be a single value");
			}
			values.put(key, value);
		}
		ScalarNode cron = required(file, mapping, values, "cron");
		try {
			CronExpression.validateExpression(cron.getValue());
		}
		catch (ParseException ex) {
			throw new InvalidScheduleException(file, line(cron), "cron '" + cron.getValue()
					+ "' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week): "
					+ ex.getMessage());
		}
		ScalarNode job = required(file, mapping, values, "job");
		if (!knownJobs.contains(job.getValue())) {
			throw new InvalidScheduleException(file, line(job),
					"names the job '" + job.getValue() + "', which does not exist; the service-wide jobs are " + knownJobs);
		}
		TimeZone zone = TimeZone.getTimeZone("UTC");
		ScalarNode zoneNode = values.get("time-zone");
		if (zoneNode != null) {
			try {
				zone = TimeZone.getTimeZone(ZoneId.of(zoneNode.getValue()));
			}
			catch (DateTimeException ex) {
				throw new InvalidScheduleException(file, line(zoneNode),
						"time-zone '" + zoneNode.getValue() + "' is not a time zone such as UTC or Europe/Paris");
			}
		}
		ScalarNode description = values.get("description");
		return new ScheduleFile(name, job.getValue(), cron.getValue(), zone,
				(description != null) ? description.getValue() : null);
	}

	private static ScalarNode required(Path file, MappingNode mapping, Map<String, ScalarNode> values, String key) {
		ScalarNode node = values.get(key);
		if (node == null || node.getValue().isBlank()) {
			throw new InvalidScheduleException(file, (node != null) ? line(node) : line(mapping), "has no " + key);
		}
		return node;
	}

	private static int line(Node node) {
		return node.getStartMark().getLine() + 1;
	}

	/** A schedule file the service cannot use: the message names the file and the line. */
	static class InvalidScheduleException extends IllegalStateException {

		InvalidScheduleException(Path file, int line, String problem) {
			super("Schedule file " + file + ", line " + line + ": " + problem.strip());
		}

	}

}
