package org.virtsup.adopt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.host.AtomicFile;

/**
 * The state record on disk ({@code STATE-DIRECTORY/daemons.state}): written
 * atomically (temporary file, fsync, rename) and read with suspicion. Reading
 * never throws: a missing, foreign or damaged file means there is nothing to
 * adopt, and the log says which and why.
 */
public final class StateRecordFile {
    public static final String NAME = "daemons.state";
    private static final Logger log = LoggerFactory.getLogger("virtsup");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path path;
    private final int ownerUid;

    /** @param ownerUid the only owner a record may have: the user virtsup runs as */
    public StateRecordFile(Path stateDirectory, int ownerUid) {
        this.path = stateDirectory.resolve(NAME);
        this.ownerUid = ownerUid;
    }

    public Path path() {
        return path;
    }

    /** Replaces the record; the previous one stays whole if this fails. */
    public void write(StateRecord record) throws IOException {
        AtomicFile.writeIfChanged(path, record.render().getBytes(StandardCharsets.UTF_8), OWNER_ONLY);
    }

    /** The record, or empty (logged) when there is none to trust. */
    public Optional<StateRecord> read() {
        try {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            Optional<String> refusal = refusal();
            if (refusal.isPresent()) {
                log.warn("the state record {} {}: no daemon is adopted from it", path, refusal.get());
                return Optional.empty();
            }
            return Optional.of(StateRecord.parse(text()));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("cannot read the state record {} ({}): no daemon is adopted from it", path, e.getMessage());
        } catch (StateRecord.Invalid e) {
            log.warn("the state record {} is damaged or not virtsup's ({}): no daemon is adopted from it", path,
                    e.getMessage());
        }
        return Optional.empty();
    }

    /** Why the file itself is not one virtsup wrote: a link, another owner, writable by others, too big. */
    private Optional<String> refusal() throws IOException {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of("is not a regular file");
        }
        int owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != ownerUid) {
            return Optional.of("belongs to uid " + owner + ", not " + ownerUid);
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            return Optional.of("is writable by others than its owner");
        }
        if (Files.size(path) > StateRecord.MAX_BYTES) {
            return Optional.of("is bigger than " + StateRecord.MAX_BYTES + " bytes");
        }
        return Optional.empty();
    }

    private String text() throws IOException, StateRecord.Invalid {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes(StateRecord.MAX_BYTES + 1); // it may have grown since it was measured
        }
        try {
            return StateRecord.utf8(bytes);
        } catch (CharacterCodingException e) {
            throw new StateRecord.Invalid(1, "not UTF-8 text");
        }
    }
}
