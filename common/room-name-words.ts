/**
 * The word lists behind suggested room names, one list per slot of the phrase
 * "<mood>-<look>-<creatures>-<verb>-<kind>-<things>", e.g. "sleepy-orange-otters-juggle-lemon-teapots".
 *
 * Why six slots of 256 words: 48 bits needs either a few huge lists or several modest ones, and there
 * are not 4096 creatures that a child can spell. 256 good words per slot is reachable, so six slots
 * give 6 × 8 = 48 bits (see room-name-generator.ts, which computes it from the lengths below).
 *
 * Rules the words follow, so that a name read out on a call is typed correctly by the listener:
 * - lowercase a–z only, no hyphens (a name must split back into exactly one word per slot, which is
 *   what makes every combination distinct and the entropy count honest);
 * - family-friendly, without slang second meanings;
 * - short (at most 10 letters, so the longest possible name stays under the 64-character limit);
 * - one spelling in both British and American English (no colour/color, grey/gray, donuts);
 * - no common homophones (bear/bare, sell/cell, sundae/sunday, flour/flower) and few near-twins
 *   (only one of "spotted"/"spotty");
 * - no duplicates within a list. A word may appear in two lists ("mint" looks and tastes); that does
 *   not cost entropy because each slot has its own position in the name.
 *
 * Lists are kept alphabetical so that reviewing a change is easy. Changing a list changes which names
 * can be suggested but never affects existing rooms: a room is just whatever name is in its URL.
 */

/** Splits a whitespace-separated block into a frozen list; keeps 1,536 words readable in review. */
function words(block: string): readonly string[] {
  return Object.freeze(block.split(/\s+/).filter((word) => word.length > 0));
}

/** How the creatures feel or what they are up to: "sleepy", "whispering". */
export const MOODS: readonly string[] = words(`
  adorable agile alert amazing amused baking bashful beaming blissful blushing bold bouncing bouncy brainy brave
  breezy bright brisk bubbly busy buzzing calm carefree caring charming chatting chatty cheeky cheerful cheering
  cheery chipper chirpy chuckling clapping classy clever clumsy cool crafty cuddly curious dainty dancing dapper
  daring dashing dizzy dozing dreaming dreamy drifting eager elegant excited fabulous faithful famous fancy
  fearless feisty festive fidgety fiery flashy floating friendly frisky funny fussy gallant gentle giddy gifted
  giggling giggly glad gleeful gliding glowing goofy graceful gracious grateful grinning groovy grumpy gutsy
  handy happy hardy hearty helpful heroic hiking honest hooting hopeful hopping humble humming hungry jaunty
  jazzy jolly jovial joyful joyous jumpy keen kind kindly knitting laughing leaping lively lounging lovely
  loving loyal lucky magical majestic marching mellow merry mighty mindful modest moody munching musical napping
  neat nibbling nifty nimble noble noisy paddling patient peaceful peppy perky playful plucky poised polite
  pondering posh prancing proud purring puzzled quick quiet quirky racing radiant regal relaxed roaming rowdy
  royal rushing sailing serene sheepish shuffling shy silly sincere singing skating skipping sledding sleepy
  smart smiling smug snacking snappy snazzy sneaky sneezing snoozing snoring snug snuggly sociable spiffy
  spirited splashing splendid sporty sprinting spry squeaky stately steady stealthy stomping strolling strutting
  sturdy stylish sulky sunny super superb surfing swift swimming swinging talented tender thankful thirsty
  thrifty thrilled tidy timid tired tough tranquil tricky trusty truthful tumbling twinkling twirling upbeat
  valiant waddling wandering warm waving whispering whistling wiggling wild wily winking wise wishful wistful
  witty wobbly wonderful wondering yawning youthful zany zesty zippy zooming
`);

/** What they look like: colours, patterns, sizes, textures: "orange", "striped". */
export const LOOKS: readonly string[] = words(`
  amber aqua auburn azure baby banded bearded bendy big black blazing blue bouncy boxy brassy bristly bronze
  brown bulky bumpy bushy buttery calico charcoal checked cherry chestnut chrome chunky cloudy cobalt copper
  coral creamy crested crimson crinkly crisp crowned crunchy crusty curly damp dappled dazzling dewy dimpled
  dinky dotted downy drippy drizzly dusky dusty ebony emerald enormous feathery fizzy flaky flecked fleecy
  floppy floral flowery fluffy foamy foggy freckled frilly fringed frizzy frosty frothy frozen furry fuzzy giant
  gigantic gilded ginger glassy gleaming glinting glittery glossy glowing golden grassy green hazel hazy hooded
  horned huge icy indigo inky ivory jade jumbo knitted lacy lanky large lavender leafy lemony lilac lime little
  lofty long luminous lumpy magenta marbled maroon masked massive mega messy metallic mini mint misty moonlit
  mossy mottled muddy mustard navy neon olive opal orange orchid oval painted pale pastel patched patchy
  patterned peach pearly pebbly pewter pink plaid platinum plum plumed plushy pocket pointy polished poppy puffy
  purple quilted rainbow rainy red ringed rocky rosy round rubbery ruby ruffled russet rusty saffron sandy
  sapphire satiny scaly scarlet scruffy shadowy shaggy shimmery shiny silky silver slate sleek slender slippery
  small smooth smudgy snowy soapy soggy sooty spangled sparkling sparkly speckled spiky spiny splashy spotless
  spotted springy square squiggly squishy starlit starry sticky stormy stretchy striped stubby sugary summery
  sunlit sunny swirly tabby tall tan tangerine tangled tartan tawny teal teeny tiny toasty toothy topaz towering
  tufted twinkly twisty velvety violet vivid wavy waxy whiskery white wide windswept winged wintry wiry wispy
  wonky wrinkly yellow zigzag
`);

/** Who they are, always plural so the verb reads naturally: "otters", "wizards". */
export const CREATURES: readonly string[] = words(`
  aardvarks acrobats aliens alpacas anteaters antelopes ants baboons badgers bakers barnacles bats beagles bears
  bees beetles belugas bison bluebirds bobcats budgies bulldogs bulls bunnies calves camels canaries capybaras
  caribou catfish cats cheetahs chefs chickens chicks chimps chipmunks clams clowns cobras collies colts condors
  corgis cowboys cows coyotes crabs cranes crickets crows cubs dancers dinosaurs dogs dolphins donkeys doves
  dragons drummers ducklings ducks eagles eels egrets elephants elk elves emus explorers fairies falcons farmers
  ferrets finches fireflies foals foxes frogs gardeners gazelles geckos geese genies gerbils giants giraffes
  glowworms gnomes goats goblins goldfish gophers goslings grandpas grannies grouse guppies hamsters hawks
  hedgehogs hens herons hippos honeybees hornets horses huskies hyenas iguanas impalas inventors jackals jaguars
  jays jellyfish jesters joeys jugglers kangaroos kestrels kittens kiwis koalas ladybugs lambs larks lemurs
  leopards limpets lions lizards llamas lobsters lovebirds lynxes macaws magpies mammoths manatees marlins
  marmots martians meerkats mermaids mice minnows moles monkeys monsters moths mules narwhals newts ninjas
  ocelots ogres okapis orcas orioles ospreys ostriches otters owlets owls oysters painters pandas panthers
  parakeets parrots pelicans penguins pheasants pigeons piglets pigs pilots pirates pixies poets ponies poodles
  porpoises possums prawns puffins pugs pumas puppies pythons quails rabbits rangers raptors ravens reindeer
  rhinos robins robots roosters sailors sardines scallops scouts seagulls seahorses seals sharks sheep shrews
  shrimps skunks sloths slugs snails snakes sparrows spiders sprites squirrels starfish starlings stingrays
  storks swallows swans swifts swordfish tadpoles tapirs termites terriers thrushes tigers toads tortoises
  toucans turkeys turtles unicorns urchins vikings voles wallabies walruses warblers weasels wizards wolves
  wombats worms wrens yaks yetis zebras
`);

/** What they do, in the plain form that follows a plural: "juggle", "polish". */
export const VERBS: readonly string[] = words(`
  admire adopt applaud arrange assemble bake balance barter bathe blend boil borrow bounce braid brush buckle
  build bundle button carry carve catch chase cheer cherish chill chomp chop clean climb clip collect comb cook
  copy count cradle crumple crunch cuddle curl dangle decorate deliver dig discover display doodle draw dribble
  drive drum dunk dust empty enjoy explore fasten feed fetch fill find fix flick fling flip float fluff fly fold
  follow frame freeze frost fry garnish gather glaze glue gobble grab greet grill groom grow guard guide harvest
  hatch heat hide hoist hold honk hug hum inflate inspect invent invite iron jiggle jingle juggle kick knit
  label lasso launch lend lift love mash measure melt mend mix mop munch nibble nudge open pack paddle paint
  pamper pass pat peel pick pickle pile pitch plant play pluck polish ponder pop praise print prune pull push
  race rake rattle record recycle repair rescue return ride rinse roast rock salute sample save scatter scoop
  scribble scrub scrunch seek send serve shade shake shape share shovel shuffle sift simmer sip sketch slice
  slurp smell snap sniff snuggle soak sort spin splash spot spray sprinkle squash squeeze squish stack stamp
  stash steam steer stir stitch store stretch strum study stuff swap sweep swing swirl tap tape taste teach tend
  thank throw tickle tidy toast toot topple toss trace track trade train trim tuck tug tumble tune twiddle twirl
  twist uncover unfold unpack unroll untangle untie unwrap visit wag walk warm wash watch water weave welcome
  whisk whittle wiggle wipe wobble zip
`);

/** What the things are made of or flavoured with, used like an adjective: "lemon", "velvet". */
export const KINDS: readonly string[] = words(`
  acorn alien almond apple apricot autumn avocado bagel ballet balloon bamboo banana beach bean bedtime berry
  birthday biscuit blanket blueberry bowling breakfast breeze brick brownie brunch bubble burrito butter button
  cactus camping candle candy canyon caramel cardboard carnival carrot castle chalk cheese cherry chocolate
  circus clay clockwork cloud clover cocoa coconut coffee comet confetti cookie corn cosmic cottage cotton
  cranberry crayon cream crumpet crystal cucumber cupcake cushion custard daisy denim diamond dinosaur disco
  dragon dumpling fairy feather fig fleece foam forest friday frosting fudge galaxy garden ginger glass glitter
  granola grape guava gumdrop hazelnut hockey holiday honey honeycomb ice icicle igloo island jam jazz jelly
  jellybean jungle karate ketchup kitchen kite kiwi lace lagoon laser lava lemon lemonade lime lollipop lunar
  magic mango maple marble marmalade marzipan meadow melon midnight milkshake mint mocha monster moon morning
  moss mountain muffin museum nectarine ninja noodle oak oatmeal ocean olive opera orchard origami palace
  pancake papaya paper party pasta pastry patchwork peach peanut pearl pebble pepper petal pickle picnic pillow
  pineapple pirate pixel pizza planet plum popcorn porridge potato pretzel pudding puddle pumpkin quilt railway
  raisin ramen ribbon rice river robot rocket rodeo rooftop rope rubber safari salsa sand satin saturday seaside
  silk sky smoothie snow snowflake soda solar space spaceship sponge spring star stone storm straw string sugar
  summer sunrise sunset sushi syrup taco teatime tennis thunder tinsel toast toffee tofu tomato treasure
  treehouse trifle tropical truffle tugboat tulip turbo twig unicorn vanilla velvet volcano waffle walnut wax
  weekend wicker willow windmill winter wizard wooden wool yarn yoga
`);

/** What they do it to, always plural: "teapots", "kazoos". */
export const THINGS: readonly string[] = words(`
  acorns anchors apples aprons armchairs backpacks badges bagels bagpipes balloons bananas banners barrels
  baseballs baskets beanbags beanies beans bells benches berries bicycles biscuits blankets blocks bongos
  bonnets books boots bottles bowls boxes bracelets bridges brooms brownies brushes bubbles buckets buns buttons
  cakes candles canoes capes carrots castles cauldrons cherries chimneys clocks clouds coconuts coins comets
  compasses cookies cottages crayons crowns crumpets crystals cupcakes curtains cushions daffodils daisies dolls
  doorbells drums dumplings earmuffs eggs envelopes erasers feathers fiddles fireworks flags flutes footballs
  forks fountains gadgets gears gems gizmos globes gloves goblets goggles gongs grapes guitars gumdrops hammers
  hammocks harps hats helmets hoodies hoops igloos jackets jars jellies jewels jigsaws jugs jumpers kayaks
  kazoos kettles kites ladders ladles lamps lanterns lemons letters levers limes lockets lollipops magnets
  mailboxes maps maracas marbles medals meteors mirrors mittens monocles mops muffins mugs mushrooms napkins
  noodles notebooks olives paddles padlocks pancakes parcels peaches peanuts pebbles pencils peppers pianos
  pickles pies pillows pinecones pinwheels pizzas planets plates platters plums pompoms ponchos postcards
  presents pretzels puddings pulleys pumpkins puppets puzzles quilts rafts rainbows raincoats raisins rakes
  rattles recorders ribbons robots rockets rugs rulers sailboats sandals satchels saucepans scooters seashells
  seesaws shells shelves shovels sleds slides slippers sneakers snowballs snowmen socks sofas spades sparklers
  spatulas sponges spoons sprockets stamps stars stickers stools straws streamers suitcases sweaters swings
  tacos tarts teacups teapots teaspoons tents tiaras toasters toffees towels towers tractors trains trays
  triangles tricycles trinkets trophies trucks truffles trumpets tubas tulips turnips tutus umbrellas violins
  waffles wagons wallets walnuts watches wheels whisks whistles widgets windmills zippers
`);
