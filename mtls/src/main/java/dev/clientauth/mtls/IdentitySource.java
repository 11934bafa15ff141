package dev.clientauth.mtls;

import java.nio.file.Path;
import java.util.List;

/** Where an identity is (re)loaded from. */
interface IdentitySource {
    /** Loads key and chain (unchecked). */
    IdentityMaterial load() throws InvalidIdentityException;

    /** Files to watch for changes; empty when the source is not a set of files. */
    List<Path> files();

    String describe();
}
