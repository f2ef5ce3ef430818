package io.vectory.store;

/**
 * A registered dataset: the metadata CSV a space's rows describe, registered once by name and reused by later
 * {@code add --dataset-name N} without {@code -d}.
 *
 * @param name the dataset's name
 * @param idField the CSV field holding each row's id, or null for row numbers
 * @param rows data rows in the CSV (its header excluded)
 * @param source the file it was registered from, for messages
 * @param createdAt when it was registered (epoch milliseconds)
 */
public record DatasetEntry(String name, String idField, long rows, String source, long createdAt) {}
