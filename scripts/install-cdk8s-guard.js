#!/usr/bin/env node
// package.json's postinstall: make node_modules/.bin/cdk8s the guarded CLI (scripts/cdk8s-guard.js),
// so that `npx cdk8s synth` never deletes an output directory holding files a synth did not write.
'use strict';
const fs = require('fs');
const path = require('path');

const bin = path.resolve(__dirname, '..', 'node_modules', '.bin');
const link = path.join(bin, 'cdk8s');
fs.mkdirSync(bin, { recursive: true });
fs.rmSync(link, { force: true });
fs.symlinkSync(path.relative(bin, path.join(__dirname, 'cdk8s-guard.js')), link);
