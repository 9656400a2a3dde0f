const args: string[] = process.argv.slice(2);
console.log("ccp", args, process.version);
