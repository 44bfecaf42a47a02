package io.mailflow.kafka.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Stands in for a Kafka broker in another process: holds the .lock files of the given dirs until stdin closes. */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws IOException {
        List<FileLock> locks = new ArrayList<>();
        for (String dir : args) {
            FileChannel channel = FileChannel.open(Path.of(dir, ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            locks.add(channel.lock());
        }
        System.out.println("locked " + locks.size());
        System.out.flush();
        while (System.in.read() != -1) {
            // hold the locks until the test closes our stdin
        }
    }
}
