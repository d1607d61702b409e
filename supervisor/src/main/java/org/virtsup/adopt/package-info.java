/**
 * Adoption after a crash: what {@code virtsup run} records of the daemons it
 * runs ({@link org.virtsup.adopt.StateRecord}, written by
 * {@link org.virtsup.adopt.StateRecordFile}), and the rule by which a later
 * {@code virtsup run} takes a running daemon over instead of refusing it
 * ({@link org.virtsup.adopt.AdoptionRule}). A pid is virtsup's only when the
 * process behind it is the very one recorded: same start time, executable
 * and command line, and it holds its pid file's lock.
 */
package org.virtsup.adopt;
