package org.virtsup.posix;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** The contract against {@link FakePosix}: it must fail where and how the kernel fails. */
class FakePosixContractTest extends PosixContract {
    private static final String SCRATCH = "/tmp/contract";
    private static final String EXIT = "/fake/bin/exit";
    private static final String SLEEP = "/fake/bin/sleep";
    private static final String STUBBORN = "/fake/bin/ignores-term";
    private static final String LOCKER = "/fake/bin/locker";

    private FakePosix fake;

    @Override
    protected Posix createPosix() {
        fake = new FakePosix()
                .withPid(777)
                .withGroups(990, 4)
                .addGroup("libvirt", 990)
                .onSpawn(EXIT, new ChildBehaviour() {
                    @Override
                    public void started(FakeChild child) {
                        child.exit(Integer.parseInt(child.spec().argv().get(1)));
                    }
                })
                .onSpawn(SLEEP, ChildBehaviour.runsUntilSignalled())
                .onSpawn(STUBBORN, ChildBehaviour.ignoresTerm())
                .onSpawn(LOCKER, ChildBehaviour.runsUntilSignalled());
        return fake;
    }

    @Override
    protected String newScratchDirectory() {
        fake.addDirectory(SCRATCH, 0, 0, 0755);
        return SCRATCH;
    }

    @Override
    protected void createFile(String path, int mode) {
        fake.addFile(path, posix.geteuid(), 0, mode);
    }

    @Override
    protected void createSocket(String path) {
        fake.addSocket(path, posix.geteuid(), 0, 0755);
    }

    @Override
    protected Inbox receiveDatagramsAt(String address) {
        fake.receiveDatagramsAt(address);
        int[] read = {0};
        return () -> {
            List<FakePosix.Datagram> received = fake.datagramsAt(address);
            assertTrue(read[0] < received.size(), "a datagram at " + address);
            return received.get(read[0]++);
        };
    }

    @Override
    protected SpawnSpec exitingWith(int code) {
        return SpawnSpec.of(EXIT, "exit", Integer.toString(code));
    }

    @Override
    protected SpawnSpec runningUntilSignalled() {
        return SpawnSpec.of(SLEEP, "sleep");
    }

    @Override
    protected SpawnSpec ignoringTerm() {
        return SpawnSpec.of(STUBBORN, "ignores-term");
    }

    @Override
    protected SpawnSpec printing(String text) {
        String program = "/fake/bin/print-" + Integer.toHexString(text.hashCode());
        fake.onSpawn(program, ChildBehaviour.prints(text));
        return SpawnSpec.of(program, "print");
    }

    @Override
    protected String existingGroupName() {
        return "libvirt";
    }

    @Override
    protected int existingGroupId() {
        return 990;
    }

    @Override
    protected int[] expectedGroups() {
        return new int[] {990, 4};
    }

    @Override
    protected int expectedPid() {
        return 777;
    }

    @Override
    protected int spawnLockHolder(String path) {
        int pid = posix.spawn(SpawnSpec.of(LOCKER, "locker", path));
        fake.holdLock(path, pid);
        return pid;
    }

    @Override
    protected boolean hasOtherChildren() {
        return false;
    }
}
