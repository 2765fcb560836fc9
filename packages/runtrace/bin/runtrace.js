#!/usr/bin/env node
// The runtrace command line, installed with the runtrace package (the program is @runtrace/cli's).
import '@runtrace/cli/bin';
