export { STORE_OPTIONS, storeFlags, stringList, type Command, type CommandContext } from '../../app/command.ts';
