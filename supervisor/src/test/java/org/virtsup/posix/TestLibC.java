package org.virtsup.posix;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/** libc calls that only the tests make, to set up what a child must not inherit. */
public interface TestLibC {
    int F_SETFD = 2;
    int SIG_BLOCK = 0;
    int SIG_SETMASK = 2;
    long SIG_IGN = 1;

    int fcntl(int fd, int command, int argument);

    /** Sets are whole sigset_t (16 longs). */
    int pthread_sigmask(int how, @In long[] set, @Out long[] previous);

    /** Returns the previous handler (SIG_DFL = 0, SIG_IGN = 1). */
    long signal(int signal, long handler);

    /** To the calling thread only: a signal it blocks stays pending on it. */
    int raise(int signal);

    static TestLibC get() {
        return Holder.LIBC;
    }

    final class Holder {
        static final TestLibC LIBC = LibraryLoader.create(TestLibC.class)
                .load(Platform.getNativePlatform().getStandardCLibraryName());

        private Holder() {}
    }
}
