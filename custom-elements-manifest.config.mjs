// custom-elements.json, generated from the elements' JSDoc (@summary, @slot,
// @csspart, @cssprop, @fires) and their Lit properties: npm run build writes
// it to dist/, and package.json's "customElements" points at it.

/**
 * Teaches the analyzer the conventions of this package:
 * - elements are registered by `defineElement('tag', Class)` in their
 *   define.ts (which skips tags already defined), not by a bare
 *   `customElements.define`, so the tag names come from those calls;
 * - each event has its own class with `static readonly type = 'ws-chat-…'`,
 *   so an event the class docs list with `@fires ws-chat-…` gets that class
 *   as its type;
 * - module paths name the shipped dist/…/x.js, not the source.
 */
function messageCenterConventions() {
  const tags = new Map(); // class name -> { tagName, definedIn: module path }
  const eventClasses = new Map(); // event name -> event class name
  return {
    name: 'message-center-conventions',
    analyzePhase({ ts, node, moduleDoc }) {
      if (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'defineElement' &&
        node.arguments.length === 2 &&
        ts.isStringLiteral(node.arguments[0]) &&
        ts.isIdentifier(node.arguments[1])
      ) {
        tags.set(node.arguments[1].text, { tagName: node.arguments[0].text, definedIn: moduleDoc.path });
      }
      if (ts.isClassDeclaration(node) && node.name) {
        for (const member of node.members) {
          const isStatic = member.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword);
          if (
            isStatic &&
            ts.isPropertyDeclaration(member) &&
            member.name.getText() === 'type' &&
            member.initializer &&
            ts.isStringLiteral(member.initializer)
          ) {
            eventClasses.set(member.initializer.text, node.name.text);
          }
        }
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      const modules = customElementsManifest.modules;
      for (const module of modules) {
        for (const declaration of module.declarations ?? []) {
          if (!declaration.customElement) continue;
          const definition = tags.get(declaration.name);
          if (definition) {
            declaration.tagName = definition.tagName;
            const defining = modules.find((candidate) => candidate.path === definition.definedIn);
            defining.exports = [
              ...(defining.exports ?? []),
              {
                kind: 'custom-element-definition',
                name: definition.tagName,
                declaration: { name: declaration.name, module: module.path },
              },
            ];
          }
          for (const event of declaration.events ?? []) {
            const type = eventClasses.get(event.name);
            if (type && !event.type) event.type = { text: type };
          }
        }
      }
      // Point at what the package ships (dist/…/x.js, built one-to-one from src/…/x.ts).
      const shipped = (path) => path.replace(/^src\/(.*)\.ts$/, 'dist/$1.js');
      for (const module of modules) {
        module.path = shipped(module.path);
        for (const entry of [...(module.exports ?? []), ...(module.declarations ?? [])]) {
          if (entry.declaration?.module) entry.declaration.module = shipped(entry.declaration.module);
          if (entry.superclass?.module) entry.superclass.module = shipped(entry.superclass.module);
        }
      }
    },
  };
}

export default {
  globs: ['src/elements/**/*.ts', 'src/events/*.ts'],
  exclude: ['src/elements/define-element.ts', 'src/elements/**/*.styles.ts'],
  outdir: 'dist',
  // package.json names the file itself; the analyzer must not rewrite it.
  packagejson: false,
  litelement: true,
  plugins: [messageCenterConventions()],
};
