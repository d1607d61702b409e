package org.virtsup.host;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/** This machine, through the JDK only (the CLI's start-up time matters: no native bindings here). */
public final class LocalHost implements Host {

    @Override
    public boolean groupExists(String name) {
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(name);
            return true;
        } catch (UserPrincipalNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new IllegalStateException("looking up group " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isReadableFile(String path) {
        Path p = Path.of(path);
        return Files.isRegularFile(p) && Files.isReadable(p);
    }

    @Override
    public boolean isExecutableFile(String path) {
        Path p = Path.of(path);
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(Path.of(path));
    }
}
