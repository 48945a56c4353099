/**
 * Who trades where. Each retail zone has a tenancy plan (categories in shopfront order); names
 * come from per-category pools of fictional merchants, and a few chains trade in more than
 * one spot, as they do in real centres. Areas follow typical tenancy sizes per category.
 */

/** [min, max] typical tenancy in m2 */
export const CATEGORY_AREA: Readonly<Record<string, readonly [number, number]>> = {
  fashion: [120, 350],
  footwear: [90, 200],
  beauty: [60, 150],
  electronics: [100, 300],
  homewares: [150, 400],
  books: [150, 300],
  jewellery: [40, 100],
  sports: [250, 600],
  toys: [150, 400],
  supermarket: [1800, 1800],
  'fresh food': [50, 150],
  pharmacy: [250, 400],
  cafe: [40, 120],
  'fast food': [40, 90],
  restaurant: [150, 300],
  services: [30, 150],
  'department store': [1200, 2000],
};

/** Fictional merchants per category, used in order; a name listed twice is a chain with two shops. */
export const MERCHANT_POOL: Readonly<Record<string, readonly string[]>> = {
  fashion: [
    'Threadline', 'Southbank Denim', 'Maple & Moss', 'Urban Drift', 'Kinfolk Apparel', 'Coastline Co', 'Velvet Row',
    'Linen Lane', 'Studio Nine', 'Ivy & Oak', 'Ochre Clothing', 'Wattle Wear', 'Blue Gum Kids', 'Harbour Knits', 'Northside Tailors',
    'Saltwater Swim', 'Denim Republic', 'Collins & Co', 'Wren Boutique', 'Fern & Fable', 'Luxe Lane',
  ],
  footwear: ['Stride Shoes', 'Sole Theory', 'Pace Runners', 'Little Feet'],
  beauty: ['Glow Apothecary', 'Bare Skin Lab', 'Petal Fragrance', 'Lash & Brow Bar'],
  electronics: ['Circuit House', 'Pixel Mobile', 'Hi-Fi Haven', 'Byte Store'],
  homewares: ['Hearth & Home', 'Kiln Ceramics', 'The Linen Press'],
  books: ['Paper Lantern Books', 'Chapter House'],
  jewellery: ['Silver Fern Jewellers', 'Opal Atelier', 'Tick Tock Watches'],
  sports: ['Peak Outdoor', 'Court & Field', 'Fitzroy Cycles'],
  toys: ['Toybox Junction', 'Brick by Brick', 'Little Explorers'],
  supermarket: ['FreshWay Supermarket'],
  'fresh food': ['Victoria Butchers', 'Harbour Fish Co', 'Green Grocer Bros', 'Crust Bakery', 'Deli Fratelli', 'Cheese Cellar'],
  pharmacy: ['Mint Pharmacy', 'Mint Pharmacy'],
  cafe: ['Laneway Espresso', 'Brew Republic', 'Tea Leaf Room', 'Laneway Espresso', 'Sugar Loaf Donuts', 'Laneway Espresso'],
  'fast food': [
    'Wok This Way', 'Pho Saigon Kitchen', 'Burger Yard', 'Sushi Train Express', 'Souvlaki Brothers', 'Curry Leaf', 'Pizza Fratelli',
    'Chicken Coop Grill', 'Dumpling House', 'Taco Loco', 'Healthy Bowl', 'Seoul Fried', 'Juice Junction', 'Bao Bar',
  ],
  restaurant: ['Trattoria Lygon', 'Smokehouse Grill', 'Spice Route', 'Izakaya Hana', 'The Terrace Bistro'],
  services: [
    'Southern Cross Bank', 'Quick Key & Heel', 'Optic Point', 'Fix My Phone', 'Post & Parcel', 'Snip Barbers', 'Nail Studio',
    'Travel Desk', 'Centre Medical', 'Dry Cleaners Express',
  ],
  'department store': ['ValueMart', 'Hollis & Grant'],
};

/** Kiosks are small whatever their category. */
export const KIOSK_AREA: readonly [number, number] = [10, 25];

/** Most of a retail zone's floor that shops may take; the rest is mall walkway. */
export const MAX_SHOP_FRACTION = 0.7;

/**
 * Tenancy plan by zone id, in shopfront order: a category takes the next merchant from its
 * pool; "category:Name" is a named kiosk. Zones not listed have no shops.
 */
export const TENANCY_PLAN: Readonly<Record<string, readonly string[]>> = {
  'lg-fresh-food': ['supermarket', 'fresh food', 'fresh food', 'fresh food', 'fresh food', 'fresh food', 'fresh food'],
  'lg-mall-s': ['pharmacy', 'services', 'services', 'services', 'cafe', 'services', 'beauty', 'fashion'],
  'lg-mall-e': ['department store', 'homewares', 'toys', 'services', 'footwear'],
  'lg-market-square': ['cafe:Gelato Piazza', 'fashion:Sunnies Kiosk'],
  'g-mall-nw': ['fashion', 'fashion', 'footwear', 'beauty', 'jewellery', 'fashion', 'electronics', 'cafe', 'fashion', 'books'],
  'g-mall-sw': ['fashion', 'sports', 'electronics', 'fashion', 'jewellery', 'services', 'beauty', 'fashion', 'homewares', 'cafe'],
  'g-atrium': ['electronics:Case Cart Kiosk', 'homewares:Candle Cart', 'cafe:Bubble Tea Lab'],
  'g-mall-ne': ['fashion', 'footwear', 'fashion', 'toys', 'services', 'jewellery', 'fashion', 'electronics', 'beauty'],
  'g-mall-se': ['sports', 'fashion', 'books', 'services', 'fashion', 'cafe', 'fashion', 'homewares', 'services'],
  'l1-mall-nw': ['department store', 'fashion', 'footwear', 'toys', 'fashion', 'sports', 'pharmacy'],
  'l1-mall-sw': ['fashion', 'fashion', 'fashion', 'electronics', 'fashion', 'services', 'fashion', 'cafe'],
  'l1-gallery': ['jewellery:Pearl Cart Kiosk', 'cafe'],
  'l1-foodcourt': [
    'fast food', 'fast food', 'fast food', 'fast food', 'fast food', 'fast food', 'fast food',
    'fast food', 'fast food', 'fast food', 'fast food', 'fast food', 'fast food', 'fast food',
  ],
  'l1-dining-terrace': ['restaurant', 'restaurant', 'restaurant', 'restaurant', 'restaurant'],
};

/** Lower-case slug of a display name, for merchant ids. */
export const slugify = (name: string): string =>
  name
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
