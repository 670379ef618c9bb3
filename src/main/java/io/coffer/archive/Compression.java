package io.coffer.archive;

/**
 * How archives are compressed: the gzip level and the threads compressing one archive. The backup
 * capability, whose settings these are, provides it as a bean; the archive only applies it.
 * @param level gzip level, 1–9
 * @param threads threads compressing one archive, at least 1
 */
public record Compression(int level, int threads) {
}
